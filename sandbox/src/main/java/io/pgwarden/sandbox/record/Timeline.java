package io.pgwarden.sandbox.record;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Node, pod and attachment state changes with their times, for measuring failover durations. */
public final class Timeline {
    public record Entry(Instant at, String kind, String name, String state) {
    }

    private final Clock clock;
    private final List<Entry> entries = new ArrayList<>();

    public Timeline(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(String kind, String name, String state) {
        entries.add(new Entry(clock.instant(), kind, name, state));
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }
}
