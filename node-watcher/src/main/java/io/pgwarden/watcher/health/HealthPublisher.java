package io.pgwarden.watcher.health;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Publishes the health of one kind of object (nodes, or managed pods) per key, from informer readings, snapshots
 * and leadership changes. Plain Java: Kafka is behind {@link Port}, threads behind {@link Runner}.
 *
 * <p>Per key, one step at a time: a key's decision ({@link KeyState#next}), sequence and send run in one drain of
 * that key, and readings that arrive meanwhile only replace its latest reading, so a snapshot can never publish an
 * older value after a newer one, and events of a key reach the broker in sequence order. Different keys drain in
 * parallel. A failed send releases its thread and the key is drained again after a backoff, sending the newest
 * reading by then, so one key's failures never hold up another's.
 *
 * @param <E> the event type
 */
public final class HealthPublisher<E> {
    private static final Logger LOG = Logger.getLogger(HealthPublisher.class);

    /** Sends one event; returns once the broker acknowledged it, throws if it did not. */
    @FunctionalInterface
    public interface Port<E> {
        void send(String key, E event);
    }

    /** Runs drains: now, or after a delay. */
    public interface Runner {
        void run(Runnable task);

        void runAfter(Duration delay, Runnable task);
    }

    private final String kind;
    private final Port<E> port;
    private final Runner runner;
    private final Clock clock;
    private final BooleanSupplier leading;
    private final Backoff backoff;
    private final Duration deletionMemory;
    private final ConcurrentMap<String, Slot<E>> slots = new ConcurrentHashMap<>();
    private final LongAdder failures = new LongAdder();

    /**
     * @param kind           "node" or "pod", for logs
     * @param leading        whether this replica may publish now
     * @param deletionMemory how long a standby remembers a deletion it saw
     */
    public HealthPublisher(String kind, Port<E> port, Runner runner, Clock clock, BooleanSupplier leading, Backoff backoff,
                    Duration deletionMemory) {
        this.kind = kind;
        this.port = port;
        this.runner = runner;
        this.clock = clock;
        this.leading = leading;
        this.backoff = backoff;
        this.deletionMemory = deletionMemory;
    }

    /** An informer delivered a reading (added, updated, resynced or deleted object). */
    public void offer(Reading<E> reading) {
        while (true) {
            Slot<E> slot = slots.computeIfAbsent(reading.key(), Slot::new);
            boolean drain;
            synchronized (slot) {
                if (slot.retired) {
                    continue; // forgotten meanwhile: start afresh
                }
                slot.state.observed(reading, clock.instant());
                drain = slot.claim();
            }
            if (drain) {
                runner.run(() -> drain(slot));
            }
            return;
        }
    }

    /**
     * The periodic snapshot: a leader publishes every key's current health again (deletions already published are
     * gone); a standby forgets the deletions it has kept long enough.
     */
    public void snapshot() {
        boolean lead = leading.getAsBoolean();
        Instant now = clock.instant();
        for (Slot<E> slot : List.copyOf(slots.values())) {
            boolean drain = false;
            synchronized (slot) {
                if (slot.retired) {
                    continue;
                }
                if (lead) {
                    slot.state.snapshotDue();
                    drain = slot.claim();
                } else if (!slot.draining && slot.state.forgettable(now, false, deletionMemory)) {
                    retire(slot);
                }
            }
            if (drain) {
                runner.run(() -> drain(slot));
            }
        }
    }

    /** This replica started or stopped leading: a new leader publishes every key, deletions it kept included. */
    public void leadershipChanged(boolean nowLeading) {
        for (Slot<E> slot : List.copyOf(slots.values())) {
            boolean drain;
            synchronized (slot) {
                slot.state.newTerm();
                drain = nowLeading && slot.claim();
            }
            if (drain) {
                runner.run(() -> drain(slot));
            }
        }
    }

    /** Keys this replica knows: live objects, and deletions not yet announced or, on a standby, remembered. */
    public int known() {
        return slots.size();
    }

    /**
     * Keys with a publish in progress, due or waiting for a retry: 0 once everything is published (always 0 on a
     * standby, which publishes nothing).
     */
    public int backlog() {
        int count = 0;
        for (Slot<E> slot : slots.values()) {
            synchronized (slot) {
                if (slot.draining && !slot.retired) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Sends that failed so far. */
    public long failures() {
        return failures.sum();
    }

    /** The latest reading of a key, if it is known. */
    public Optional<Reading<E>> latest(String key) {
        Slot<E> slot = slots.get(key);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot) {
            return slot.retired ? Optional.empty() : Optional.ofNullable(slot.state.latest());
        }
    }

    /** Sends what the key needs until nothing is left, or until a failure hands it to a later drain. */
    private void drain(Slot<E> slot) {
        while (true) {
            KeyState.Outbound<E> outbound;
            synchronized (slot) {
                Instant now = clock.instant();
                boolean lead = leading.getAsBoolean();
                outbound = slot.state.next(now, lead).orElse(null);
                if (outbound == null) {
                    slot.draining = false;
                    if (slot.state.forgettable(now, lead, deletionMemory)) {
                        retire(slot);
                    }
                    return;
                }
            }
            try {
                port.send(slot.key, outbound.event());
            } catch (RuntimeException e) {
                int attempts;
                synchronized (slot) {
                    attempts = slot.state.failed(outbound);
                }
                failures.increment();
                Duration wait = backoff.delay(attempts);
                if (attempts == 1) {
                    LOG.warnf(e, "could not publish the health of %s %s; retrying with backoff (%s doubling to %s) "
                            + "until it is sent or superseded", kind, slot.key, backoff.initial(), backoff.max());
                } else {
                    LOG.debugf("publishing the health of %s %s failed %d times: %s", kind, slot.key, attempts, e);
                }
                runner.runAfter(wait, () -> drain(slot));
                return;
            }
            int failedBefore;
            synchronized (slot) {
                failedBefore = slot.state.sent(outbound);
            }
            if (failedBefore > 0) {
                LOG.infof("published the health of %s %s after %d failed attempts", kind, slot.key, failedBefore);
            }
            if (outbound.change()) {
                LOG.infof("%s %s: %s", kind, slot.key, outbound.event());
            }
        }
    }

    /** Under the slot's lock. */
    private void retire(Slot<E> slot) {
        slot.retired = true;
        slots.remove(slot.key, slot);
    }

    /** One key's state and whether a drain owns it. Guarded by its own monitor. */
    private static final class Slot<E> {
        final String key;
        final KeyState<E> state = new KeyState<>();
        /** A drain is running or scheduled for this key: at most one at a time. */
        boolean draining;
        /** Removed from the map; an offer that still holds it starts a new slot. */
        boolean retired;

        Slot(String key) {
            this.key = key;
        }

        /** True when the caller must start a drain (none was running or scheduled). */
        boolean claim() {
            if (draining) {
                return false;
            }
            draining = true;
            return true;
        }
    }
}
