package io.pgwarden.sandbox.control;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One zone's nodes waiting for a NoExecute taint, handed out at a limited rate: the node lifecycle controller's
 * RateLimitedTimedQueue with its token bucket of burst 1 ({@code pkg/controller/nodelifecycle/scheduler/
 * rate_limited_queue.go}). An empty interval hands out nothing.
 */
final class TaintQueue {
    private final Set<String> nodes = new LinkedHashSet<>();
    private Optional<Duration> interval;
    private Instant nextToken = Instant.EPOCH;

    TaintQueue(Duration interval) {
        this.interval = Optional.of(interval);
    }

    void add(String node) {
        nodes.add(node);
    }

    void remove(String node) {
        nodes.remove(node);
    }

    boolean contains(String node) {
        return nodes.contains(node);
    }

    /** Try: the oldest queued nodes go to the tainter while the rate allows. */
    void taint(Instant now, Consumer<String> tainter) {
        for (String node : List.copyOf(nodes)) {
            if (!tryAccept(now)) {
                return;
            }
            tainter.accept(node);
            nodes.remove(node);
        }
    }

    boolean tryAccept(Instant now) {
        if (interval.isEmpty() || now.isBefore(nextToken)) {
            return false;
        }
        nextToken = now.plus(interval.get());
        return true;
    }

    /** SwapLimiter: a new rate; when the old bucket had no token left, the new one starts empty too. */
    void swap(Optional<Duration> newInterval, Instant now) {
        if (newInterval.equals(interval)) {
            return;
        }
        boolean hadToken = interval.isPresent() && !now.isBefore(nextToken);
        interval = newInterval;
        nextToken = hadToken || newInterval.isEmpty() ? now : now.plus(newInterval.get());
    }
}
