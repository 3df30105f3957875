package io.pgwarden.operations.core;

import java.time.Instant;

/**
 * Who may run an operation. A runner claims it until an expiry and extends the claim with every write;
 * a write whose claim is no longer valid fails instead of landing, so a runner that stalled (a long GC
 * pause, a lost leadership) cannot overwrite the work of the runner that took over.
 */
public final class Claims {
    private Claims() {
    }

    /** Whether runner may claim operation at now. */
    public static boolean mayClaim(Operation operation, String runner, Instant now) {
        return !operation.isFinal()
                && (operation.owner() == null || operation.owner().equals(runner) || expired(operation, now));
    }

    /** Whether runner's claim still holds at now, so its write may land. */
    public static boolean holds(Operation operation, String runner, Instant now) {
        return runner.equals(operation.owner()) && !expired(operation, now);
    }

    private static boolean expired(Operation operation, Instant now) {
        return operation.claimExpiresAt() == null || !now.isBefore(operation.claimExpiresAt());
    }
}
