package io.pgwarden.watcher.health;

import java.time.Instant;

/**
 * Whether node-watcher sees the API server (its watches of Nodes and node Leases are up and the API server answers),
 * and since when. Lease staleness counts only from {@code since} of a view that sees: what happened while it was
 * blind, node-watcher could not have seen.
 *
 * @param sees   node-watcher's watches are up and the API server answers
 * @param since  when this became so
 * @param whyNot what is wrong, in words, when it does not see
 */
public record ApiView(boolean sees, Instant since, String whyNot) {

    public static ApiView seeing(Instant since) {
        return new ApiView(true, since, null);
    }

    public static ApiView blind(Instant since, String whyNot) {
        return new ApiView(false, since, whyNot);
    }

    /** The view after a check at {@code now}: {@code since} moves only when seeing turns into blind or back. */
    public ApiView next(boolean seesNow, String whyNotNow, Instant now) {
        if (seesNow) {
            return sees ? this : seeing(now);
        }
        return sees ? blind(now, whyNotNow) : blind(since, whyNotNow);
    }
}
