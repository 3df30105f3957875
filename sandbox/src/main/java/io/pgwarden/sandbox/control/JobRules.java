package io.pgwarden.sandbox.control;

import java.time.Duration;
import java.time.Instant;

/**
 * The Job controller's decisions for a non-indexed Job of one completion (kubernetes pkg/controller/job/
 * job_controller.go): Complete once a pod succeeded; Failed with BackoffLimitExceeded once more pods failed than
 * backoffLimit allows (with restartPolicy OnFailure, once the active pod's container restarts reach backoffLimit),
 * or with DeadlineExceeded once the Job ran activeDeadlineSeconds; otherwise a new pod when none is active, after
 * the pod failure back-off (10 s doubled per failure, at most 10 min).
 */
public final class JobRules {
    public static final int DEFAULT_BACKOFF_LIMIT = 6;

    private JobRules() {
    }

    public sealed interface Decision permits Complete, Fail, CreatePod, Wait {
    }

    public record Complete() implements Decision {
    }

    public record Fail(String reason, String message) implements Decision {
    }

    public record CreatePod() implements Decision {
    }

    public record Wait() implements Decision {
    }

    /**
     * @param activeDeadline   the scaled activeDeadlineSeconds, null when unset
     * @param activeRestarts   container restarts of the active pods (restartPolicy OnFailure)
     * @param lastFailure      when the latest failed pod finished, null when none failed
     * @param backOff          the scaled base back-off and cap
     */
    public static Decision decide(int completions, int backoffLimit, Duration activeDeadline, Instant startTime,
                                  Instant now, int succeeded, int failed, int active, int activeRestarts,
                                  Instant lastFailure, Duration backOff, Duration maxBackOff) {
        if (succeeded >= completions) {
            return new Complete();
        }
        if (failed > backoffLimit || (active > 0 && activeRestarts > 0 && activeRestarts >= backoffLimit)) {
            return new Fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }
        if (activeDeadline != null && startTime != null && !now.isBefore(startTime.plus(activeDeadline))) {
            return new Fail("DeadlineExceeded", "Job was active longer than specified deadline");
        }
        if (active > 0) {
            return new Wait();
        }
        if (failed > 0 && lastFailure != null && now.isBefore(lastFailure.plus(backOff(failed, backOff, maxBackOff)))) {
            return new Wait();
        }
        return new CreatePod();
    }

    /** The delay before the next pod after {@code failures} failed ones: base * 2^(failures-1), capped. */
    public static Duration backOff(int failures, Duration base, Duration max) {
        Duration delay = base;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
