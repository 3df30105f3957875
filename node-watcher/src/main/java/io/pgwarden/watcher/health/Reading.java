package io.pgwarden.watcher.health;

import java.time.Instant;

/**
 * What node-watcher read about one object from its informer: its health, whether the object is gone, and the
 * resourceVersion it was read from.
 *
 * @param health          the health fields
 * @param deleted         the object was deleted; {@code health} is the last known
 * @param resourceVersion the object's resourceVersion (opaque)
 * @param <E>             the event it is published as
 */
public record Reading<E>(Health<E> health, boolean deleted, String resourceVersion) {

    public String key() {
        return health.key();
    }

    /** Same health and deletion state: publishing this after that would tell a consumer nothing new. */
    public boolean sameHealthAs(Reading<E> other) {
        return other != null && deleted == other.deleted && health.sameHealthAs(other.health);
    }

    public E event(Instant observedAt, long sequence) {
        return health.event(deleted, resourceVersion, observedAt, sequence);
    }
}
