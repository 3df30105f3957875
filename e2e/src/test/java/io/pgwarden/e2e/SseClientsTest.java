package io.pgwarden.e2e;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseClientsTest {

    @Test
    void data_lines_split_across_chunks_reach_each_client_whole_and_in_order() throws Exception {
        CountDownLatch subscribed = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/events", exchange -> {
            assertThat(exchange.getRequestHeaders().getFirst("Authorization")).isEqualTo("Bearer t");
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream body = exchange.getResponseBody();
            body.write(": welcome\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            subscribed.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A line cut in the middle by a chunk boundary, then two events in one chunk.
            for (String part : List.of("id: 1\ndata: {\"m\":\"ma", "rker-1\"}\n\n", "data: two\n\ndata: three\n\n")) {
                body.write(part.getBytes(StandardCharsets.UTF_8));
                body.flush();
            }
            body.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        List<String> read = new CopyOnWriteArrayList<>();
        CountDownLatch allRead = new CountDownLatch(9);
        try (SseClients clients = new SseClients(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/api/v1/events"), "Bearer t", 3, (client, line, at) -> {
                    read.add(client + " " + line);
                    allRead.countDown();
                },
                Duration.ofSeconds(10))) {
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(allRead.await(10, TimeUnit.SECONDS)).as("read: " + read).isTrue();
            for (int c = 0; c < 3; c++) {
                int client = c;
                assertThat(read.stream().filter(l -> l.startsWith(client + " ")).toList()).containsExactly(
                        c + " data: {\"m\":\"marker-1\"}", c + " data: two", c + " data: three");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void a_refused_subscription_is_an_error_naming_the_status() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            assertThatThrownBy(() -> new SseClients(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/api/v1/events"), "Bearer t", 1, (client, line, at) -> { }, Duration.ofSeconds(10)))
                    .hasMessage("event stream client 0 got 401");
        } finally {
            server.stop(0);
        }
    }
}
