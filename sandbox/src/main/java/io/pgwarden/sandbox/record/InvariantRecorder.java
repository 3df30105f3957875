package io.pgwarden.sandbox.record;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who had which volume open for writing, and when: one interval per PostgreSQL process (pod UID and host PID), from
 * its start until it died or lost write access (a fence); a fenced process that lives to be unfenced writes again,
 * in a new interval. Two intervals of one volume that overlap are a split brain, whatever their nodes: two pods on
 * one node are two writers too (ReadWriteOnce allows them).
 */
public final class InvariantRecorder {
    /** A writer's interval; end is empty while the process still writes. */
    public record Writer(String volume, String node, String pod, String podUid, long pid, Instant start,
                         Optional<Instant> end) {
        boolean overlaps(Writer other) {
            Instant otherEnd = other.end.orElse(Instant.MAX);
            Instant thisEnd = end.orElse(Instant.MAX);
            return start.isBefore(otherEnd) && other.start.isBefore(thisEnd);
        }

        boolean sameProcess(Writer other) {
            return podUid.equals(other.podUid) && pid == other.pid;
        }
    }

    /** Two writers of one volume at once; overlapEnd is empty while both still write. */
    public record SplitBrain(String volume, String firstNode, String firstPod, String secondNode, String secondPod,
                             Instant overlapStart, Optional<Instant> overlapEnd) {
    }

    private final Clock clock;
    private final List<Writer> writers = new ArrayList<>();

    public InvariantRecorder(Clock clock) {
        this.clock = clock;
    }

    public synchronized void writerStarted(String volume, String node, String pod, String podUid, long pid) {
        writers.add(new Writer(volume, node, pod, podUid, pid, clock.instant(), Optional.empty()));
    }

    /** The process died or lost write access. */
    public synchronized void writerStopped(long pid) {
        for (int i = 0; i < writers.size(); i++) {
            Writer w = writers.get(i);
            if (w.pid() == pid && w.end().isEmpty()) {
                writers.set(i, new Writer(w.volume(), w.node(), w.pod(), w.podUid(), pid, w.start(),
                        Optional.of(clock.instant())));
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
                if (a.volume().equals(b.volume()) && !a.sameProcess(b) && a.overlaps(b)) {
                    Instant start = a.start().isAfter(b.start()) ? a.start() : b.start();
                    Optional<Instant> end = earliest(a.end(), b.end());
                    found.add(new SplitBrain(a.volume(), a.node(), a.pod(), b.node(), b.pod(), start, end));
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
