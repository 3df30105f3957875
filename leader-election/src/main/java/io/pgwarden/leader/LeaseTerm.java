package io.pgwarden.leader;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether this replica leads, from its own record of the Lease: it leads from a successful acquire or renewal
 * until the renew deadline has passed since the last one, or until it learns that it lost or released the Lease.
 *
 * <p>The elector itself notices a failed renewal only once its next attempt returns, and an attempt can block on a
 * slow or unreachable API server; this term ends on time regardless. A standby may take over only
 * {@code leaseDuration} after the last renewal, so the leader stops at least {@code leaseDuration - renewDeadline}
 * (5 s with the defaults) before anyone else can start: the margin for clock skew between replicas and for the
 * action in progress. The times are those at which the renewal requests started, read from the same clock as
 * {@link #leading(Instant)} gets.
 */
final class LeaseTerm {
    private final Duration renewDeadline;
    private Instant renewedAt;
    private boolean closed;

    LeaseTerm(Duration renewDeadline) {
        this.renewDeadline = renewDeadline;
    }

    /** The Lease was written naming this replica, by a request that started at {@code at}. */
    synchronized void renewed(Instant at) {
        if (!closed && (renewedAt == null || at.isAfter(renewedAt))) {
            renewedAt = at;
        }
    }

    /** This replica lost or released the Lease. */
    synchronized void ended() {
        renewedAt = null;
    }

    /** This replica is shutting down: it never leads again, whatever an elector still in flight reports. */
    synchronized void close() {
        closed = true;
        renewedAt = null;
    }

    synchronized boolean leading(Instant now) {
        return renewedAt != null && now.isBefore(renewedAt.plus(renewDeadline));
    }

    /** When leading ends unless the Lease is renewed again; empty when not leading. */
    synchronized Optional<Instant> expiry() {
        return Optional.ofNullable(renewedAt).map(at -> at.plus(renewDeadline));
    }
}
