package io.pgwarden.watcher.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What node-watcher knows and has published about one key (a node, or a managed pod), and the decision of what to
 * send next. Plain Java; {@link HealthPublisher} calls it under the key's lock, so the change check, the sequence
 * and the publish of one key are one serialized step.
 *
 * <ul>
 *   <li><b>Change filter</b>: a reading is published when its health (or deletion) differs from the last one this
 *       replica published in its current term as leader; a new resourceVersion alone is not a change.</li>
 *   <li><b>Snapshot</b>: republishes the current health once, with a new sequence.</li>
 *   <li><b>Sequence</b>: {@link HybridClock} per key.</li>
 *   <li><b>Retry</b>: an event that was not acknowledged is sent again, unchanged (a consumer drops the duplicate by
 *       its sequence), while it is still the current health; a newer reading supersedes it with a new event.</li>
 *   <li><b>Deletion</b>: published with the last known health, then the key is forgotten. A standby keeps a deletion
 *       for a while, to announce it if it takes over from a leader that died before doing so.</li>
 *   <li><b>Term</b>: when this replica starts or stops leading, what it published before counts for nothing: the new
 *       leader publishes every key again.</li>
 * </ul>
 *
 * @param <E> the event type
 */
final class KeyState<E> {
    /** An event built from a reading, on its way to the broker. */
    record Outbound<E>(Reading<E> reading, E event, boolean change) {
    }

    private Reading<E> latest;
    private Instant latestAt;
    private Reading<E> published;
    private Outbound<E> pending;
    private boolean snapshotDue;
    private long lastSequence;
    private int failures;

    /** The informer delivered a reading at {@code now}. */
    void observed(Reading<E> reading, Instant now) {
        latest = reading;
        latestAt = now;
    }

    /** Publish the current health again even if unchanged. */
    void snapshotDue() {
        snapshotDue = true;
    }

    /** This replica started or stopped leading: publish everything again when leading. */
    void newTerm() {
        published = null;
        pending = null;
        failures = 0;
    }

    /** The event to send now, if any. Assigns its sequence; call {@link #sent} or {@link #failed} after sending. */
    Optional<Outbound<E>> next(Instant now, boolean leading) {
        if (!leading || latest == null) {
            return Optional.empty();
        }
        if (pending != null) {
            if (pending.reading().sameHealthAs(latest)) {
                return Optional.of(pending);
            }
            pending = null; // superseded by a newer reading
        }
        boolean change = !latest.sameHealthAs(published);
        if (!change && !snapshotDue) {
            return Optional.empty();
        }
        lastSequence = HybridClock.next(lastSequence, now);
        pending = new Outbound<>(latest, latest.event(now, lastSequence), change);
        snapshotDue = false;
        return Optional.of(pending);
    }

    /** The broker acknowledged {@code outbound}; returns how many attempts had failed before. */
    int sent(Outbound<E> outbound) {
        published = outbound.reading();
        if (pending == outbound) {
            pending = null;
        }
        int failedBefore = failures;
        failures = 0;
        return failedBefore;
    }

    /** Sending {@code outbound} failed; returns how many attempts in a row have failed. */
    int failed(Outbound<E> outbound) {
        return ++failures;
    }

    /**
     * Whether the key can be dropped: a leader drops a deletion once it is published; a standby once it has kept it
     * for {@code deletionMemory}.
     */
    boolean forgettable(Instant now, boolean leading, Duration deletionMemory) {
        if (latest == null || !latest.deleted() || pending != null) {
            return false;
        }
        return leading ? latest.sameHealthAs(published) : !now.isBefore(latestAt.plus(deletionMemory));
    }

    Reading<E> latest() {
        return latest;
    }
}
