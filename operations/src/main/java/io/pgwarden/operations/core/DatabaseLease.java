package io.pgwarden.operations.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The lock that makes one operation per database at a time: a Kubernetes Lease per managed StatefulSet,
 * as read from the API.
 *
 * @param holder     the holding operation's id
 * @param holderKind its kind, e.g. {@code TakeBackup}
 * @param service    the service that runs it
 * @param acquiredAt when it took the lease
 * @param renewedAt  when it last renewed it
 * @param duration   how long after the last renewal the lease counts as expired
 * @param version    the object's resourceVersion, so a write based on this reading fails if it changed
 */
public record DatabaseLease(String holder, String holderKind, String service, Instant acquiredAt, Instant renewedAt,
                            Duration duration, String version) {

    public boolean isExpired(Instant now) {
        return renewedAt == null || now.isAfter(renewedAt.plus(duration));
    }

    public String describe() {
        return holderKind + " " + holder + " of " + service + ", started " + acquiredAt;
    }
}
