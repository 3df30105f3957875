package io.pgwarden.gateway;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client of the event stream: what it has been given so far, and the events it still gets.
 * <p>
 * Events reach it from the shared live tail and, for a client that resumes, from a replay of the records between
 * its cursor and where the tail stood when it joined. Live events are held until the replay is done, so each
 * partition's events go out in offset order; any event at an offset below the client's next one for its partition
 * is one it has already been given (or that precedes its cursor) and is skipped, so it sees none twice and, since
 * the replay reads up to where the live part begins, misses none. Every event seen moves the client's cursor, also
 * one its filter hides, so the id of the next event it gets covers the hidden ones too.
 */
public final class EventSubscription {
    /** An event for the client, with the id that resumes right after it. */
    public record Delivery(StreamEvent event, String id) {
    }

    private final EventFilter filter;
    private final Consumer<Delivery> client;
    private final Consumer<Throwable> failed;
    private final Map<TopicPartition, Long> next;
    private final List<StreamEvent> held = new ArrayList<>();
    private final int holdLimit;
    private boolean replaying;
    private volatile boolean closed;

    /**
     * @param next      the next offset the client wants of each partition; a partition it does not name, it wants
     *                  from its beginning
     * @param replaying whether a replay will bring the events up to the live part (until {@link #replayed()})
     * @param holdLimit how many live events may wait for the replay; past it the client's stream ends (a replay so
     *                  slow is a client that cannot keep up), and it resumes from the last id it got
     */
    public EventSubscription(EventFilter filter, Map<TopicPartition, Long> next, boolean replaying, int holdLimit,
                             Consumer<Delivery> client, Consumer<Throwable> failed) {
        this.holdLimit = holdLimit;
        this.filter = filter;
        this.failed = failed;
        this.next = new HashMap<>(next);
        this.replaying = replaying;
        this.client = client;
    }

    /** An event from the live tail. */
    public synchronized void live(StreamEvent event) {
        if (closed) {
            return;
        }
        if (replaying) {
            if (held.size() >= holdLimit) {
                held.clear();
                fail(new IllegalStateException("more than " + holdLimit + " live events waited for the replay"
                        + " (pgwarden.gateway.events.client-buffer); resume with Last-Event-ID"));
                return;
            }
            held.add(event);
        } else {
            give(event);
        }
    }

    /** An event from the replay (below where the live part begins for its partition). */
    public synchronized void replay(StreamEvent event) {
        give(event);
    }

    /**
     * The topic no longer holds this client's events of a partition from {@code from} up to {@code earliest}
     * (retention): the client is told so, whatever its filter, before anything of that partition reaches it.
     */
    public synchronized void gap(TopicPartition partition, long from, long earliest) {
        if (closed) {
            return;
        }
        next.put(partition, earliest);
        client.accept(new Delivery(StreamEvent.gap(partition, from, earliest), new EventCursor(next).encode()));
    }

    /** The replay has reached the live part: the held events follow. */
    public synchronized void replayed() {
        replaying = false;
        held.forEach(this::give);
        held.clear();
    }

    /** The replay failed: the client's stream ends, and it resumes from the last id it got. */
    public void fail(Throwable cause) {
        closed = true;
        failed.accept(cause);
    }

    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }

    private void give(StreamEvent event) {
        Long expected = next.get(event.partition());
        if (closed || expected != null && event.offset() < expected) {
            return;
        }
        next.put(event.partition(), event.offset() + 1);
        if (filter.matches(event)) {
            client.accept(new Delivery(event, new EventCursor(next).encode()));
        }
    }
}
