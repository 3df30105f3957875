package io.pgwarden.local;

import io.pgwarden.local.RestartPolicy.Keep;
import io.pgwarden.local.RestartPolicy.Restart;
import io.pgwarden.local.RestartPolicy.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class RestartPolicyTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final RestartPolicy.Settings settings = RestartPolicy.Settings.defaults(); // 3 × 5 s, 180 s to start
    private final RestartPolicy policy = new RestartPolicy(settings, clock);

    @Test
    void liveness_failing_for_the_threshold_in_a_row_restarts_and_says_since_when() {
        running();
        clock.advance(Duration.ofSeconds(5));
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        clock.advance(Duration.ofSeconds(5));
        assertThat(policy.probed(false, "no answer within 2000 ms")).isInstanceOf(Keep.class);
        clock.advance(Duration.ofSeconds(5));
        Verdict third = policy.probed(false, "HTTP 503");

        assertThat(third).isInstanceOf(Restart.class);
        Restart restart = (Restart) third;
        assertThat(restart.reason()).isEqualTo(
                "liveness failing since 10:00:05 (3 probes in a row, every 5 s; last: HTTP 503)");
        assertThat(restart.kill()).isTrue();
        assertThat(restart.restarts()).isEqualTo(1);
        assertThat(restart.delay()).isZero();
    }

    @Test
    void a_process_handed_over_ready_is_held_to_its_liveness_from_the_first_probe() {
        policy.startedLive();
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Restart.class);
    }

    @Test
    void a_live_answer_in_between_starts_the_count_over() {
        running();
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(true, "HTTP 200")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "HTTP 503")).isInstanceOf(Restart.class);
    }

    @Test
    void a_process_that_is_still_starting_is_not_held_to_its_liveness_until_its_startup_limit() {
        policy.started();
        for (int i = 0; i < 35; i++) {
            clock.advance(Duration.ofSeconds(5));
            assertThat(policy.probed(false, "ConnectException")).as("probe %d", i).isInstanceOf(Keep.class);
        }
        clock.advance(Duration.ofSeconds(5)); // 180 s after the start
        Verdict verdict = policy.probed(false, "ConnectException");

        assertThat(verdict).isInstanceOf(Restart.class);
        assertThat(((Restart) verdict).reason())
                .isEqualTo("did not answer live within 180 s of its start (last probe: ConnectException)");
    }

    @Test
    void an_exit_restarts_at_once_then_backs_off_10_s_doubling_to_5_min() {
        running();
        assertThat(exit(137)).isEqualTo(new Restart("exited with code 137 (signal 9)", Duration.ZERO, 1, false));
        long[] expectedSeconds = {10, 20, 40, 80, 160, 300, 300};
        for (int i = 0; i < expectedSeconds.length; i++) {
            running();
            clock.advance(Duration.ofSeconds(30));
            Restart restart = exit(1);
            assertThat(restart.delay()).as("restart %d", i + 2).isEqualTo(Duration.ofSeconds(expectedSeconds[i]));
            assertThat(restart.restarts()).isEqualTo(i + 2);
            assertThat(restart.reason()).isEqualTo("exited with code 1");
        }
    }

    @Test
    void the_back_off_starts_over_after_more_than_10_minutes_of_running_since_the_last_restart() {
        running();
        exit(1);                                 // at once
        running();
        assertThat(exit(1).delay()).isEqualTo(Duration.ofSeconds(10));
        running();
        clock.advance(Duration.ofMinutes(10));   // exactly 10 min: not yet "more than twice the cap"
        assertThat(exit(1).delay()).isEqualTo(Duration.ofSeconds(20));
        running();
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        Restart fresh = exit(1);

        assertThat(fresh.delay()).isZero();
        assertThat(fresh.restarts()).isEqualTo(4);
        running();
        assertThat(exit(1).delay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void probes_while_a_restart_is_under_way_change_nothing() {
        running();
        exit(1);
        assertThat(policy.probed(false, "ConnectException")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "ConnectException")).isInstanceOf(Keep.class);
        assertThat(policy.probed(false, "ConnectException")).isInstanceOf(Keep.class);
        assertThat(policy.restarts()).isEqualTo(1);
    }

    /** Started and answered live once. */
    private void running() {
        policy.started();
        assertThat(policy.probed(true, "HTTP 200")).isInstanceOf(Keep.class);
    }

    private Restart exit(int code) {
        return (Restart) policy.exited(code);
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
