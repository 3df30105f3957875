package io.pgwarden.sandbox.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobRulesTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration BASE = Duration.ofSeconds(10);
    private static final Duration MAX = Duration.ofMinutes(10);

    private static JobRules.Decision decide(int succeeded, int failed, int active, int restarts, Instant lastFailure,
                                            Duration deadline, Instant now) {
        return JobRules.decide(1, 6, deadline, START, now, succeeded, failed, active, restarts, lastFailure, BASE, MAX);
    }

    @Test
    void aSucceededPodCompletesTheJob() {
        assertThat(decide(1, 2, 0, 0, null, null, START)).isInstanceOf(JobRules.Complete.class);
    }

    @Test
    void moreFailuresThanTheBackoffLimitFailIt() {
        assertThat(decide(0, 6, 0, 0, START, null, START.plus(MAX))).isInstanceOf(JobRules.CreatePod.class);
        assertThat(decide(0, 7, 0, 0, START, null, START.plus(MAX)))
                .isEqualTo(new JobRules.Fail("BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        assertThat(decide(0, 0, 1, 6, null, null, START)).isInstanceOf(JobRules.Fail.class);
    }

    @Test
    void theActiveDeadlineFailsIt() {
        assertThat(decide(0, 0, 1, 0, null, Duration.ofSeconds(30), START.plusSeconds(29))).isInstanceOf(JobRules.Wait.class);
        assertThat(decide(0, 0, 1, 0, null, Duration.ofSeconds(30), START.plusSeconds(30)))
                .isEqualTo(new JobRules.Fail("DeadlineExceeded", "Job was active longer than specified deadline"));
    }

    @Test
    void aFailedPodIsReplacedAfterTheBackOff() {
        assertThat(decide(0, 0, 0, 0, null, null, START)).isInstanceOf(JobRules.CreatePod.class);
        assertThat(decide(0, 2, 0, 0, START, null, START.plusSeconds(19))).isInstanceOf(JobRules.Wait.class);
        assertThat(decide(0, 2, 0, 0, START, null, START.plusSeconds(20))).isInstanceOf(JobRules.CreatePod.class);
        assertThat(JobRules.backOff(1, BASE, MAX)).isEqualTo(BASE);
        assertThat(JobRules.backOff(4, BASE, MAX)).isEqualTo(Duration.ofSeconds(80));
        assertThat(JobRules.backOff(20, BASE, MAX)).isEqualTo(MAX);
    }
}
