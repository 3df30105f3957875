package io.pgwarden.sandbox.record;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who had which volume open for writing, and when: one interval per PostgreSQL process, from its start until it
 * died or lost write access. Two intervals of one volume that overlap on different nodes are a split brain.
 */
public final class InvariantRecorder {
    /** A writer's interval; end is empty while the process still writes. */
    public record Writer(String volume, String node, String pod, long pid, Instant start, Optional<Instant> end) {
        boolean overlaps(Writer other) {
            Instant otherEnd = other.end.orElse(Instant.MAX);
            Instant thisEnd = end.orElse(Instant.MAX);
            return start.isBefore(otherEnd) && other.start.isBefore(thisEnd);
        }
    }

    public record SplitBrain(String volume, String firstNode, String secondNode, Instant overlapStart,
                             Optional<Instant> overlapEnd) {
    }

    private final Clock clock;
    private final List<Writer> writers = new ArrayList<>();

    public InvariantRecorder(Clock clock) {
        this.clock = clock;
    }

    public synchronized void writerStarted(String volume, String node, String pod, long pid) {
        writers.add(new Writer(volume, node, pod, pid, clock.instant(), Optional.empty()));
    }

    public synchronized void writerStopped(long pid) {
        for (int i = 0; i < writers.size(); i++) {
            Writer w = writers.get(i);
            if (w.pid() == pid && w.end().isEmpty()) {
                writers.set(i, new Writer(w.volume(), w.node(), w.pod(), pid, w.start(), Optional.of(clock.instant())));
            }
        }
    }

    public synchronized List<Writer> writers() {
        return List.copyOf(writers);
    }

    public synchronized List<SplitBrain> splitBrains() {
        List<SplitBrain> found = new ArrayList<>();
        for (int i = 0; i < writers.size(); i++) {
            for (int j = i + 1; j < writers.size(); j++) {
                Writer a = writers.get(i);
                Writer b = writers.get(j);
                if (a.volume().equals(b.volume()) && !a.node().equals(b.node()) && a.overlaps(b)) {
                    Instant start = a.start().isAfter(b.start()) ? a.start() : b.start();
                    Optional<Instant> end = earliest(a.end(), b.end());
                    found.add(new SplitBrain(a.volume(), a.node(), b.node(), start, end));
                }
            }
        }
        return found;
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
    }
}
