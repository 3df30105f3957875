package io.pgwarden.watcher.health;

import java.time.Instant;

/**
 * The health fields of one watched object: what the change filter compares. Heartbeats and other writes that
 * leave them alone change the object's resourceVersion, not its health.
 *
 * @param <E> the event it is published as
 */
public interface Health<E> {

    /** The Kafka key: the node name, or {@code namespace/pod}. */
    String key();

    /** Whether publishing this after {@code other} would tell a consumer nothing new. */
    default boolean sameHealthAs(Health<E> other) {
        return equals(other);
    }

    /** The event carrying this health, with where and when it was read and its sequence. */
    E event(boolean deleted, String resourceVersion, Instant observedAt, long sequence);
}
