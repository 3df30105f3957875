package io.pgwarden.sandbox.kubelet;

import java.time.Duration;

/**
 * The kubelet's restart back-off for a container that keeps dying: none, then 10 s, doubling, at most 5 min
 * ({@code backOffPeriod} and {@code MaxContainerBackOff} in {@code pkg/kubelet/kubelet.go}). Public because the
 * local run's launcher supervises its service processes by the same rule.
 */
public final class CrashLoopBackOff {
    private static final Duration INITIAL = Duration.ofSeconds(10);
    private static final Duration MAX = Duration.ofMinutes(5);

    private CrashLoopBackOff() {
    }

    public static Duration delay(int restartsSoFar) {
        if (restartsSoFar == 0) {
            return Duration.ZERO;
        }
        Duration delay = INITIAL.multipliedBy(1L << Math.min(restartsSoFar - 1, 10));
        return delay.compareTo(MAX) > 0 ? MAX : delay;
    }

    /** The longest delay; the kubelet starts the back-off over once a container ran twice this long. */
    public static Duration max() {
        return MAX;
    }
}
