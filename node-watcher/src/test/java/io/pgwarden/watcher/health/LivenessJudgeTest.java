package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeReadiness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    private final LivenessJudge judge = new LivenessJudge(Optional.empty(), PowerPoll.STALE_NODES, Duration.ofSeconds(5));

    @Test
    void the_default_threshold_is_one_and_a_half_renew_intervals_of_the_lease() {
        assertThat(judge.staleAfter(40)).isEqualTo(Duration.ofSeconds(15));
        assertThat(judge.staleAfter(10)).isEqualTo(Duration.ofMillis(3750));
        assertThat(judge.staleAfter(null)).as("the kubelet's default lease").isEqualTo(Duration.ofSeconds(15));
        assertThat(new LivenessJudge(Optional.of(Duration.ofSeconds(6)), PowerPoll.STALE_NODES, Duration.ofSeconds(5)).staleAfter(40))
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
        LivenessJudge.Signals newNode = new LivenessJudge.Signals(NOW.minusSeconds(5), false, null, READY, null, null);
        LivenessJudge.Signals silentNode = new LivenessJudge.Signals(NOW.minusSeconds(20), false, null, READY, null, null);

        assertThat(judge.judge(newNode, ALIVE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "new to node-watcher, no node lease seen yet"));
        assertThat(judge.judge(silentNode, ALIVE, SEEING, NOW)).isEqualTo(new LivenessJudge.Verdict(SUSPECT,
                "no node lease seen for more than 15 s; power state unknown"));
    }

    // ---- the database ports of the node's managed pods ---------------------------------------------------------

    private static final DatabasePort PG0_TIMED_OUT = new DatabasePort("default/pg-0", "10.0.0.5:5432",
            DatabasePort.Answer.silent("connect timed out"));
    private static final DatabasePort PG1_REFUSED = new DatabasePort("default/pg-1", "10.0.0.6:5432",
            DatabasePort.Answer.silent("connection refused"));
    private static final DatabasePort PG1_ANSWERS = new DatabasePort("default/pg-1", "10.0.0.6:5432",
            DatabasePort.Answer.ANSWERS);
    private static final DatabasePort PG1_NOT_YET = new DatabasePort("default/pg-1", "10.0.0.6:5432", null);

    @Test
    void a_stale_lease_and_every_managed_pods_database_port_silent_is_unreachable() {
        assertThat(judge.judge(ports(READY, null, PG0_TIMED_OUT), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, "lease not renewed for more than 15 s; power state unknown; "
                        + "database port of default/pg-0 (10.0.0.5:5432) does not answer (connect timed out)"));
        assertThat(judge.judge(ports(READY, "On", PG1_REFUSED, PG0_TIMED_OUT), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, "lease not renewed for more than 15 s; BMC reports PowerState "
                        + "On; database port of default/pg-0 (10.0.0.5:5432) does not answer (connect timed out); "
                        + "database port of default/pg-1 (10.0.0.6:5432) does not answer (connection refused)"));
    }

    @Test
    void a_port_that_answers_adds_nothing_and_takes_nothing_away() {
        assertThat(judge.judge(ports(READY, null, PG0_TIMED_OUT, PG1_ANSWERS), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(SUSPECT, "lease not renewed for more than 15 s; power state unknown; "
                        + "database port of default/pg-1 (10.0.0.6:5432) answers"));
        assertThat(judge.judge(ports(UNKNOWN, "On", PG1_ANSWERS), SUSPECT, SEEING, NOW)).as("no veto").isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, "lease not renewed for more than 15 s; Ready is Unknown; "
                        + "database port of default/pg-1 (10.0.0.6:5432) answers"));
        assertThat(judge.judge(ports(READY, "Off", PG1_ANSWERS), SUSPECT, SEEING, NOW).liveness()).isEqualTo(UNREACHABLE);
    }

    @Test
    void a_port_not_answered_yet_or_a_node_without_managed_pods_gives_no_port_signal() {
        assertThat(judge.judge(ports(READY, null, PG0_TIMED_OUT, PG1_NOT_YET), SUSPECT, SEEING, NOW)).isEqualTo(
                new LivenessJudge.Verdict(SUSPECT, "lease not renewed for more than 15 s; power state unknown"));
        assertThat(judge.judge(ports(READY, null), SUSPECT, SEEING, NOW).liveness()).isEqualTo(SUSPECT);
    }

    @Test
    void silent_ports_are_no_signal_while_the_lease_is_renewed_or_node_watcher_is_blind() {
        LivenessJudge.Signals renewed = new LivenessJudge.Signals(NOW.minusSeconds(3), true, 40, READY, null, null,
                List.of(PG0_TIMED_OUT));
        assertThat(judge.judge(renewed, SUSPECT, SEEING, NOW).liveness()).isEqualTo(ALIVE);
        assertThat(judge.judge(ports(READY, null, PG0_TIMED_OUT), ALIVE,
                ApiView.blind(NOW.minusSeconds(60), "down"), NOW).liveness()).isEqualTo(ALIVE);
    }

    /** A Ready-or-not node silent for 20 s whose managed pods' ports were probed. */
    private static LivenessJudge.Signals ports(NodeReadiness readiness, String power, DatabasePort... ports) {
        return new LivenessJudge.Signals(NOW.minusSeconds(20), true, 40, readiness, power, power == null ? null : NOW,
                List.of(ports));
    }

    // ---- every-node power polling: the BMC read every second, a fresh Off enough ---------------------------------

    private static final Duration POLL = Duration.ofSeconds(1);
    private final LivenessJudge everyNode = new LivenessJudge(Optional.empty(), PowerPoll.EVERY_NODE, POLL);
    private static final String OFF_WHILE_FRESH = "BMC reports PowerState Off (every-node power polling); "
            + "lease renewed within 15 s";

    @Test
    void every_node_a_fresh_off_after_the_last_renewal_is_unreachable_while_the_lease_is_within_the_threshold() {
        assertThat(everyNode.judge(read(Duration.ofSeconds(3), "Off", Duration.ofMillis(200)), ALIVE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(UNREACHABLE, OFF_WHILE_FRESH));
        assertThat(everyNode.judge(read(Duration.ofSeconds(3), "Off", POLL.multipliedBy(2)), ALIVE, SEEING, NOW)
                .liveness()).as("two poll intervals old: still fresh").isEqualTo(UNREACHABLE);
    }

    @Test
    void every_node_an_older_off_counts_for_nothing() {
        assertThat(everyNode.judge(read(Duration.ofSeconds(5), "Off", POLL.multipliedBy(2).plusMillis(1)), ALIVE,
                SEEING, NOW)).isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
    }

    @Test
    void every_node_a_renewal_seen_after_the_off_reading_outweighs_it() {
        LivenessJudge.Signals renewedSince = new LivenessJudge.Signals(NOW.minusMillis(100), true, 40, READY, "Off",
                NOW.minusMillis(300));
        assertThat(everyNode.judge(renewedSince, ALIVE, SEEING, NOW).liveness()).isEqualTo(ALIVE);
        assertThat(everyNode.judge(renewedSince, UNREACHABLE, SEEING, NOW))
                .as("back on the next renewal seen after the Off reading")
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
    }

    @Test
    void every_node_an_unreachable_node_stays_so_until_the_bmc_says_on() {
        assertThat(everyNode.judge(read(Duration.ofSeconds(8), "Off", Duration.ofSeconds(6)), UNREACHABLE, SEEING,
                NOW)).as("an Off no longer fresh brings nothing back").isEqualTo(
                new LivenessJudge.Verdict(UNREACHABLE, OFF_WHILE_FRESH));
        assertThat(everyNode.judge(read(Duration.ofSeconds(8), null, Duration.ofSeconds(1)), UNREACHABLE, SEEING, NOW))
                .as("a BMC that stopped answering").isEqualTo(new LivenessJudge.Verdict(UNREACHABLE,
                        "BMC reported PowerState Off (every-node power polling), power unknown since; "
                                + "lease renewed within 15 s"));
        assertThat(everyNode.judge(read(Duration.ofSeconds(8), "PoweringOn", Duration.ofSeconds(1)), UNREACHABLE,
                SEEING, NOW).reason()).startsWith("BMC reported PowerState Off (every-node power polling), "
                + "PowerState PoweringOn since;");
        assertThat(everyNode.judge(read(Duration.ofSeconds(8), "On", Duration.ofSeconds(1)), UNREACHABLE, SEEING, NOW))
                .as("a fresh On with a fresh lease").isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
        assertThat(everyNode.judge(read(Duration.ofSeconds(8), null, Duration.ofSeconds(1)), ALIVE, SEEING, NOW)
                .liveness()).as("no answer is no Off").isEqualTo(ALIVE);
    }

    @Test
    void every_node_while_node_watcher_is_blind_the_bmc_changes_no_verdict() {
        ApiView blind = ApiView.blind(NOW.minusSeconds(2), "the API server does not answer");
        String stays = "node-watcher does not see the API server (the API server does not answer): liveness stays as "
                + "it was, whatever the BMC reports";

        assertThat(everyNode.judge(read(Duration.ofSeconds(3), "Off", Duration.ofMillis(200)), ALIVE, blind, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, stays));
        assertThat(everyNode.judge(read(Duration.ofSeconds(3), "Off", Duration.ofMillis(200)), UNREACHABLE, blind,
                NOW)).isEqualTo(new LivenessJudge.Verdict(UNREACHABLE, stays));
        assertThat(everyNode.judge(read(Duration.ofSeconds(3), null, Duration.ofMillis(200)), UNREACHABLE, blind, NOW)
                .liveness()).isEqualTo(UNREACHABLE);
        assertThat(everyNode.judge(new LivenessJudge.Signals(NOW.minusMillis(100), true, 40, READY, "Off",
                NOW.minusMillis(300)), UNREACHABLE, blind, NOW).liveness())
                .as("a renewal seen after the Off reading is evidence, blind or not").isEqualTo(ALIVE);
    }

    @Test
    void every_node_a_node_without_a_lease_says_so() {
        LivenessJudge.Signals newNode = new LivenessJudge.Signals(NOW.minusSeconds(5), false, null, READY, "Off",
                NOW.minusMillis(500));
        assertThat(everyNode.judge(newNode, ALIVE, SEEING, NOW)).isEqualTo(new LivenessJudge.Verdict(UNREACHABLE,
                "BMC reports PowerState Off (every-node power polling); no node lease seen yet"));
    }

    @Test
    void every_node_a_stale_lease_is_judged_as_before() {
        assertThat(everyNode.judge(read(Duration.ofSeconds(16), "Off", Duration.ofSeconds(30)), SUSPECT, SEEING, NOW))
                .isEqualTo(judge.judge(lease(Duration.ofSeconds(16), READY, "Off"), SUSPECT, SEEING, NOW));
        assertThat(everyNode.judge(read(Duration.ofSeconds(16), "On", Duration.ofMillis(500)), ALIVE, SEEING, NOW))
                .isEqualTo(judge.judge(lease(Duration.ofSeconds(16), READY, "On"), ALIVE, SEEING, NOW));
    }

    @Test
    void stale_nodes_mode_waits_for_the_lease_whatever_the_bmc_says() {
        assertThat(judge.judge(read(Duration.ofSeconds(3), "Off", Duration.ofMillis(200)), ALIVE, SEEING, NOW))
                .isEqualTo(new LivenessJudge.Verdict(ALIVE, "lease renewed within 15 s"));
    }

    @Test
    void the_threshold_reads_in_seconds() {
        assertThat(LivenessJudge.words(Duration.ofMillis(600))).isEqualTo("0.6 s");
        assertThat(LivenessJudge.words(Duration.ofMillis(3750))).isEqualTo("3.75 s");
        assertThat(LivenessJudge.words(Duration.ofSeconds(15))).isEqualTo("15 s");
    }

    /** A Ready node whose lease was seen renewed {@code silentFor} ago and whose BMC answered {@code age} ago. */
    private static LivenessJudge.Signals read(Duration silentFor, String power, Duration age) {
        return new LivenessJudge.Signals(NOW.minus(silentFor), true, 40, READY, power, NOW.minus(age));
    }

    private static LivenessJudge.Signals lease(Duration silentFor, NodeReadiness readiness, String power) {
        return new LivenessJudge.Signals(NOW.minus(silentFor), true, 40, readiness, power, power == null ? null : NOW);
    }
}
