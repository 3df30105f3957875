package io.pgwarden.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgwarden.embedded.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for failover-service's incident queries at the address the gateway is given: answers what a test
 * sets per path, records what it was asked, and can stall (a hung service) or stop (nothing listening). What
 * failover-service really answers is tested against it in failover-service's IncidentsIT; here the gateway's side.
 */
public class FailoverStub implements QuarkusTestResourceLifecycleManager {
    record Answer(int status, String contentType, String body) {
    }

    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();
    static final List<String> ASKED = new CopyOnWriteArrayList<>();
    private static volatile CountDownLatch stall = new CountDownLatch(0);
    private static volatile int port;
    private static volatile HttpServer server;

    @Override
    public Map<String, String> start() {
        port = Ports.free();
        startServer();
        // It stands in for backup-service's catalog reads (/backups) too.
        return Map.of("pgwarden.gateway.failover-url", "http://127.0.0.1:" + port,
                // Short, so a stalled stub shows as "did not answer" within a second.
                "pgwarden.gateway.failover-timeout", "1s",
                "pgwarden.gateway.backup-url", "http://127.0.0.1:" + port,
                "pgwarden.gateway.backup-timeout", "1s");
    }

    /** Answers path (without the query) with a JSON body; the query is recorded, not matched. */
    static void answer(String path, int status, String json) {
        ANSWERS.put(path, new Answer(status, status < 400 ? "application/json" : "application/problem+json", json));
    }

    static void reset() {
        ANSWERS.clear();
        ASKED.clear();
        stall.countDown();
        if (server == null) {
            startServer();
        }
    }

    /** Requests hang until {@link #reset()}. */
    static void stall() {
        stall = new CountDownLatch(1);
    }

    /** Nothing listens any more, until {@link #reset()}. */
    static synchronized void shutDown() {
        server.stop(0);
        server = null;
    }

    private static synchronized void startServer() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            s.setExecutor(Executors.newCachedThreadPool());
            s.createContext("/", FailoverStub::serve);
            s.start();
            server = s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        ASKED.add(path + (query == null ? "" : "?" + query));
        try {
            stall.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Answer answer = ANSWERS.getOrDefault(path, new Answer(404, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no incident\"}"));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void stop() {
        stall.countDown();
        if (server != null) {
            server.stop(0);
        }
    }
}
