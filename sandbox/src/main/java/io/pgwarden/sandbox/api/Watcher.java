package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;

import java.time.Clock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One open watch: what it selects, how its events are written (JSON objects, or meta.k8s.io Tables for kubectl get
 * -w), and where (a chunked HTTP response or a WebSocket, see {@link Sink}). Events are offered under the API
 * server's store lock, so they go out in resource version order and none falls between a watch's first events and
 * its registration.
 */
final class Watcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a watch's events go: one JSON event per line of a chunked response, or per WebSocket text message. */
    interface Sink {
        void send(String event);

        /** Ends the watch from the server's side (timeout, error); the client may watch again from its last version. */
        void end();
    }

    final WatchRequest request;
    private final AttributeSet query;
    private final Predicate<JsonNode> selector;
    private final Sink sink;
    private final Clock clock;
    private volatile boolean closed;
    private boolean tableHeadersSent;

    Watcher(WatchRequest request, AttributeSet query, Sink sink, Clock clock) {
        this.request = request;
        this.query = query;
        this.selector = o -> request.fields().matches(o) && request.labels().matches(o);
        this.sink = sink;
        this.clock = clock;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether a stored object (its key in the store and its state) is selected by this watch. */
    boolean selects(AttributeSet key, String object) {
        return selects(key, object, () -> SandboxDispatcher.parse(object));
    }

    private boolean selects(AttributeSet key, String object, Supplier<JsonNode> parsed) {
        if (key == null || object == null || !key.matches(query)) {
            return false;
        }
        return request.fields().isEmpty() && request.labels().isEmpty() || selector.test(parsed.get());
    }

    /**
     * Sends the event a change is for this watch, if any: ADDED when the object enters the selection, MODIFIED
     * while it stays in, DELETED (the previous state at the change's version) when it leaves or is deleted
     * (kubernetes/kubernetes v1.32 staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go
     * convertToWatchEvent).
     */
    void offer(WatchCache.Change change) {
        boolean now = !change.type.equals("DELETED") && selects(change.newKey, change.newObject, change::parsedNew);
        boolean before = selects(change.oldKey, change.oldObject, change::parsedOld);
        if (now && !before) {
            send("ADDED", change.newObject, change::parsedNew);
        } else if (now) {
            send("MODIFIED", change.newObject, change::parsedNew);
        } else if (before) {
            send("DELETED", change.deletedObject(), () -> SandboxDispatcher.parse(change.deletedObject()));
        }
    }

    /** A synthetic ADDED event for an object of the current state (a watch from no or "0" resource version). */
    void added(String object) {
        send("ADDED", object, () -> SandboxDispatcher.parse(object));
    }

    /**
     * A BOOKMARK: an object of the watched kind with only the resource version up to which this watch has been sent
     * every change (and, at the end of the initial events of a sendInitialEvents watch, the annotation
     * k8s.io/initial-events-end).
     */
    void bookmark(long resourceVersion, boolean initialEventsEnd) {
        if (closed) {
            return;
        }
        ObjectNode object = JSON.createObjectNode();
        request.kind().ifPresent(k -> object.put("kind", k.kind()).put("apiVersion", k.apiVersion()));
        ObjectNode metadata = object.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
        metadata.putNull("creationTimestamp");
        if (initialEventsEnd) {
            metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
        }
        write(event("BOOKMARK", object.toString()));
    }

    /** An ERROR event with a metav1.Status, then the end of the watch (how the real server refuses a watch it cannot serve). */
    void fail(int code, String reason, String message) {
        if (!closed) {
            write(event("ERROR", ApiError.status(code, reason, message)));
        }
        close();
    }

    /** Ends the watch from the server's side. */
    void close() {
        if (!closed) {
            closed = true;
            sink.end();
        }
    }

    /** The client went away: nothing more is sent. */
    void closedByClient() {
        closed = true;
    }

    private void send(String type, String object, Supplier<JsonNode> parsed) {
        if (closed) {
            return;
        }
        String payload = object;
        if (request.table()) {
            // kubernetes/kubernetes v1.32 staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
            // watchEmbeddedEncoder: every object becomes a Table, with column definitions only in the first event.
            payload = Tables.render(request.plural(), parsed.get(), clock.instant(), !tableHeadersSent);
            tableHeadersSent = true;
        }
        write(event(type, payload));
    }

    /** A watch whose connection broke stops here: it must not fail the write that produced the change. */
    private void write(String event) {
        try {
            sink.send(event);
        } catch (RuntimeException e) {
            closed = true;
        }
    }

    private static String event(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    }
}
