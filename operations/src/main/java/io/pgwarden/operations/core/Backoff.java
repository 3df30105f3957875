package io.pgwarden.operations.core;

import java.time.Duration;

/** Exponential back-off between failed tries: first, doubled per try, never above max. */
public record Backoff(Duration first, Duration max) {

    /** The wait after the given number of failed tries in a row (1 for the first failure). */
    public Duration after(int failedTries) {
        Duration wait = first;
        for (int i = 1; i < failedTries && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
