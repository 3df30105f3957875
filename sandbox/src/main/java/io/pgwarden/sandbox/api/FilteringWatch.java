package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.util.function.Predicate;

/** A mock watch whose events pass the selector terms the mock cannot evaluate (spec.nodeName=..., tier in (...)). */
final class FilteringWatch extends WebSocketListener {
    private final WebSocketListener delegate;
    private final Predicate<JsonNode> selector;

    FilteringWatch(WebSocketListener delegate, Predicate<JsonNode> selector) {
        this.delegate = delegate;
        this.selector = selector;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        delegate.onOpen(new Filtered(webSocket), response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        delegate.onMessage(webSocket, text);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        delegate.onClosed(webSocket, code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
        delegate.onFailure(webSocket, error, response);
    }

    private final class Filtered implements WebSocket {
        private final WebSocket socket;

        Filtered(WebSocket socket) {
            this.socket = socket;
        }

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public boolean send(String text) {
            JsonNode event = SandboxDispatcher.parse(text);
            return !selector.test(event.path("object")) || socket.send(text);
        }

        @Override
        public boolean send(byte[] bytes) {
            return socket.send(bytes);
        }

        @Override
        public boolean close(int code, String reason) {
            return socket.close(code, reason);
        }
    }
}
