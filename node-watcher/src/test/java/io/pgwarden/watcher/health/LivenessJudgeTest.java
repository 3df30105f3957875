package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeReadiness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.SUSPECT;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static io.pgwarden.contracts.event.NodeReadiness.NOT_READY;
import static io.pgwarden.contracts.event.NodeReadiness.READY;
import static io.pgwarden.contracts.event.NodeReadiness.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

class LivenessJudgeTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    /** node-watcher has seen the API server for an hour. */
    private static final ApiView SEEING = ApiView.seeing(NOW.minusSeconds(3600));

    private final LivenessJudge judge = new LivenessJudge(Optional.empty());

    @Test
    void the_default_threshold_is_one_and_a_half_renew_intervals_of_the_lease() {
        assertThat(judge.staleAfter(40)).isEqualTo(Duration.ofSeconds(15));
        assertThat(judge.staleAfter(10)).isEqualTo(Duration.ofMillis(3750));
        assertThat(judge.staleAfter(null)).as("the kubelet's default lease").isEqualTo(Duration.ofSeconds(15));
        assertThat(new LivenessJudge(Optional.of(Duration.ofSeconds(6))).staleAfter(40))
                .isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void a_lease_renewed_within_the_threshold_is_alive() {
        assertThat(judge.judge(lease(Duration.ofSeconds(15), READY, null), ALIVE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
    }

    @Test
    void a_stale_lease_without_a_second_signal_is_suspect() {
        assertThat(judge.judge(lease(Duration.ofMillis(15_001), READY, null), ALIVE, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(SUSPECT, "lease not renewed for more than 15 s; power state unknown"));
        assertThat(judge.judge(lease(Duration.ofSeconds(20), READY, "On"), ALIVE, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(SUSPECT, "lease not renewed for more than 15 s; BMC reports PowerState On"));
    }

    @Test
    void the_verdict_of_a_stale_node_does_not_change_as_its_lease_ages() {
        assertThat(judge.judge(lease(Duration.ofSeconds(16), READY, null), SUSPECT, SEEING, NOW))
                .isEqualTo(judge.judge(lease(Duration.ofMinutes(10), READY, null), SUSPECT, SEEING, NOW));
    }

    @Test
    void a_stale_lease_and_the_power_off_is_unreachable() {
        assertThat(judge.judge(lease(Duration.ofSeconds(16), READY, "Off"), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, "lease not renewed for more than 15 s; BMC reports PowerState Off"));
    }

    @Test
    void a_stale_lease_and_a_node_not_ready_is_unreachable() {
        assertThat(judge.judge(lease(Duration.ofSeconds(16), UNKNOWN, "On"), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, "lease not renewed for more than 15 s; Ready is Unknown"));
        assertThat(judge.judge(lease(Duration.ofSeconds(16), NOT_READY, null), ALIVE, SEEING, NOW).reason())
                .endsWith("Ready is False");
    }

    @Test
    void a_node_not_ready_or_powered_off_whose_lease_is_renewed_is_alive() {
        assertThat(judge.judge(lease(Duration.ofSeconds(1), NOT_READY, "Off"), ALIVE, SEEING, NOW).liveness())
                .isEqualTo(ALIVE);
    }

    @Test
    void a_renewed_lease_brings_an_unreachable_node_back() {
        assertThat(judge.judge(lease(Duration.ofSeconds(2), UNKNOWN, null), UNREACHABLE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
    }

    @Test
    void the_time_node_watcher_was_blind_does_not_count_in_a_leases_age() {
        LivenessJudge.Signals silentForAMinute = lease(Duration.ofMinutes(1), READY, null);
        ApiView outage = ApiView.seeing(NOW.minusSeconds(3600)).next(false, "down", NOW.minusSeconds(58))
                .next(true, null, NOW.minusSeconds(2));

        LivenessJudge.Verdict inGrace = judge.judge(silentForAMinute, ALIVE, outage, NOW);
        assertThat(inGrace.liveness()).isEqualTo(ALIVE);
        assertThat(inGrace.reason()).isEqualTo(
                "lease not seen renewed for 15 s, not counting the time node-watcher did not see the API server");
        ApiView shorter = ApiView.seeing(NOW.minusSeconds(3600)).next(false, "down", NOW.minusSeconds(58))
                .next(true, null, NOW.minusSeconds(14));
        assertThat(judge.judge(silentForAMinute, ALIVE, shorter, NOW).liveness()).as("60 s - 44 s blind > 15 s")
                .isEqualTo(SUSPECT);
    }

    @Test
    void a_watch_restart_of_a_second_costs_a_dying_node_that_second_only() {
        LivenessJudge.Signals silent = lease(Duration.ofSeconds(16).plusMillis(500), READY, null);
        ApiView blip = ApiView.seeing(NOW.minusSeconds(3600)).next(false, "watch restarting", NOW.minusSeconds(5))
                .next(true, null, NOW.minusSeconds(4));
        assertThat(judge.judge(silent, ALIVE, blip, NOW).liveness()).isEqualTo(SUSPECT);
    }

    @Test
    void while_node_watcher_is_blind_no_one_becomes_suspect_and_no_one_stops_being_so() {
        ApiView blind = ApiView.blind(NOW.minusSeconds(60), "the API server does not answer");
        LivenessJudge.Signals silent = lease(Duration.ofMinutes(2), UNKNOWN, "Off");

        assertThat(judge.judge(silent, ALIVE, blind, NOW)).isEqualTo(new LivenessJudge.Verdict(ALIVE,
                "node-watcher does not see the API server (the API server does not answer): lease staleness is not "
                        + "counted, liveness stays as it was"));
        assertThat(judge.judge(silent, SUSPECT, blind, NOW).liveness()).isEqualTo(SUSPECT);
        assertThat(judge.judge(silent, UNREACHABLE, blind, NOW).liveness()).isEqualTo(UNREACHABLE);
        assertThat(judge.judge(lease(Duration.ofSeconds(3), READY, null), SUSPECT, blind, NOW).liveness())
                .as("a renewal seen is evidence, blind or not").isEqualTo(ALIVE);
    }

    @Test
    void a_node_without_a_lease_counts_from_when_node_watcher_first_saw_it() {
        LivenessJudge.Signals newNode = new LivenessJudge.Signals(NOW.minusSeconds(5), false, null, READY, null);
        LivenessJudge.Signals silentNode = new LivenessJudge.Signals(NOW.minusSeconds(20), false, null, READY, null);

        assertThat(judge.judge(newNode, ALIVE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "new to node-watcher, no node lease seen yet"));
        assertThat(judge.judge(silentNode, ALIVE, SEEING, NOW)).isEqualTo(new LivenessJudge.Verdict(SUSPECT,
                "no node lease seen for more than 15 s; power state unknown"));
    }

    @Test
    void the_threshold_reads_in_seconds() {
        assertThat(LivenessJudge.words(Duration.ofMillis(600))).isEqualTo("0.6 s");
        assertThat(LivenessJudge.words(Duration.ofMillis(3750))).isEqualTo("3.75 s");
        assertThat(LivenessJudge.words(Duration.ofSeconds(15))).isEqualTo("15 s");
    }

    private static LivenessJudge.Signals lease(Duration silentFor, NodeReadiness readiness, String power) {
        return new LivenessJudge.Signals(NOW.minus(silentFor), true, 40, readiness, power);
    }
}
