package io.pgwarden.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads {@code /api/v1/events} as the operator page does: a plain HTTP request with a bearer token, the SSE lines
 * parsed by hand (not EventSource), every event and comment kept in order as it arrived.
 */
final class SseClient implements AutoCloseable {
    /** One event; {@code comment} for a comment line, the other fields null then. */
    record Event(String id, String name, String data, String comment) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final int status;
    final String contentType;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private volatile boolean ended;
    private final String problem;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.body = response.body();
        if (status != 200) {
            problem = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            return;
        }
        problem = null;
        Thread reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the stream at path (with its query), with the given headers (Authorization, Last-Event-ID). */
    static SseClient open(int port, String pathAndQuery, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** The body of an answer that is not a stream (a problem). */
    String problem() {
        return problem;
    }

    List<Event> named(String name) {
        return events.stream().filter(e -> name.equals(e.name())).toList();
    }

    /** Whether the server ended the stream (not this client's close). */
    boolean ended() {
        return ended;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, name, data.toString(), null));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).strip()));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).strip());
                }
            }
            ended = true;
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
