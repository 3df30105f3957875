package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The API server's watch cache: per resource, the recent changes with their resource versions, so that a watch
 * started from resourceVersion N is sent exactly the changes after N, and one started from a version the history
 * no longer reaches is told "too old resource version" (410 Gone, reason Expired) and relists.
 *
 * <p>Modeled on kubernetes/kubernetes v1.32 {@code staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go}:
 * a ring per resource whose capacity starts at 100 events and doubles (up to 100 * 1024) while the whole ring is
 * younger than {@code eventFreshDuration} (75 s), halves when its newest quarter is older than that
 * ({@code resizeCacheLocked}); a full ring drops its oldest event; {@code getAllEventsSinceLocked} answers
 * "too old" for a version below the oldest deliverable one minus one. Not thread-safe: the API server calls it
 * under its store's lock.
 */
final class WatchCache {
    static final int LOWER_BOUND_CAPACITY = 100;
    static final int UPPER_BOUND_CAPACITY = 100 * 1024;
    static final long EVENT_FRESH_NANOS = TimeUnit.SECONDS.toNanos(75);

    /** A stored change of one object, as the watch cache keeps it (watchCacheEvent: the object and its previous state). */
    static final class Change {
        final String type;
        final long resourceVersion;
        final AttributeSet oldKey;
        final String oldObject;
        final AttributeSet newKey;
        final String newObject;
        final long recordedNanos;
        private JsonNode parsedOld;
        private JsonNode parsedNew;
        private String deletedObject;

        /**
         * @param oldObject the state before (null for a creation)
         * @param newObject the state after (null for a deletion)
         */
        Change(long resourceVersion, AttributeSet oldKey, String oldObject, AttributeSet newKey, String newObject,
               long recordedNanos) {
            this.type = oldObject == null ? "ADDED" : newObject == null ? "DELETED" : "MODIFIED";
            this.resourceVersion = resourceVersion;
            this.oldKey = oldKey;
            this.oldObject = oldObject;
            this.newKey = newKey;
            this.newObject = newObject;
            this.recordedNanos = recordedNanos;
        }

        JsonNode parsedOld() {
            if (parsedOld == null && oldObject != null) {
                parsedOld = SandboxDispatcher.parse(oldObject);
            }
            return parsedOld;
        }

        JsonNode parsedNew() {
            if (parsedNew == null && newObject != null) {
                parsedNew = SandboxDispatcher.parse(newObject);
            }
            return parsedNew;
        }

        /**
         * The object a DELETED event carries: the previous state with the change's resource version
         * (cache_watcher.go convertToWatchEvent: "a delete event with the previous object content, but with the
         * event's resource version").
         */
        String deletedObject() {
            if (deletedObject == null) {
                ObjectNode copy = (ObjectNode) parsedOld().deepCopy();
                copy.with("metadata").put("resourceVersion", String.valueOf(resourceVersion));
                deletedObject = copy.toString();
            }
            return deletedObject;
        }

        /** Drops the parsed forms once every watcher has seen the change: the history keeps only the text. */
        void forgetParsed() {
            parsedOld = null;
            parsedNew = null;
        }
    }

    /** A watch from a version the history no longer reaches. */
    static final class Expired extends Exception {
        Expired(String message) {
            super(message);
        }
    }

    private static final class History {
        final ArrayDeque<Change> changes = new ArrayDeque<>();
        int capacity = LOWER_BOUND_CAPACITY;
        boolean removedAny;
    }

    private final Map<String, History> histories = new HashMap<>();
    private final LongSupplier nanoTime;

    WatchCache(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    long now() {
        return nanoTime.getAsLong();
    }

    /** Keeps a change of the given resource (group and plural); changes come in resource version order. */
    void add(String resource, Change change) {
        History h = histories.computeIfAbsent(resource, r -> new History());
        if (h.changes.size() >= h.capacity) {
            resize(h, change.recordedNanos);
        }
        while (h.changes.size() >= h.capacity) {
            h.changes.removeFirst();
            h.removedAny = true;
        }
        h.changes.addLast(change);
    }

    /** watch_cache.go resizeCacheLocked, called when the ring is full. */
    private static void resize(History h, long now) {
        if (now - h.changes.getFirst().recordedNanos < EVENT_FRESH_NANOS) {
            h.capacity = Math.min(h.capacity * 2, UPPER_BOUND_CAPACITY);
            return;
        }
        Change newestQuarterStart = nth(h.changes, h.changes.size() - h.capacity / 4);
        if (now - newestQuarterStart.recordedNanos > EVENT_FRESH_NANOS) {
            h.capacity = Math.max(h.capacity / 2, LOWER_BOUND_CAPACITY);
            // doCacheResizeLocked keeps the newest events that fit
            while (h.changes.size() > h.capacity) {
                h.changes.removeFirst();
                h.removedAny = true;
            }
        }
    }

    private static Change nth(ArrayDeque<Change> changes, int index) {
        Iterator<Change> it = changes.iterator();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        return it.next();
    }

    /**
     * The changes of a resource after resourceVersion, oldest first (watch_cache.go getAllEventsSinceLocked).
     * Until the history dropped an event it reaches back to the start of the store (version 0); after that, to its
     * oldest event.
     *
     * @throws Expired "too old resource version: N (oldest-1)" when the history no longer reaches N
     */
    List<Change> since(String resource, long resourceVersion) throws Expired {
        History h = histories.get(resource);
        if (h == null) {
            return List.of();
        }
        if (h.removedAny) {
            long oldest = h.changes.getFirst().resourceVersion;
            if (resourceVersion < oldest - 1) {
                throw new Expired("too old resource version: " + resourceVersion + " (" + (oldest - 1) + ")");
            }
        }
        List<Change> after = new ArrayList<>();
        Iterator<Change> newestFirst = h.changes.descendingIterator();
        while (newestFirst.hasNext()) {
            Change c = newestFirst.next();
            if (c.resourceVersion <= resourceVersion) {
                break;
            }
            after.add(c);
        }
        java.util.Collections.reverse(after);
        return after;
    }

    /** The capacity of a resource's ring now (for tests). */
    int capacity(String resource) {
        History h = histories.get(resource);
        return h == null ? LOWER_BOUND_CAPACITY : h.capacity;
    }

    /** How many changes of a resource are kept now (for tests). */
    int size(String resource) {
        History h = histories.get(resource);
        return h == null ? 0 : h.changes.size();
    }
}
