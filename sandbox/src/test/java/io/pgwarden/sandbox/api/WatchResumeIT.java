package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Watches as the real API server serves them, through a plain HTTP client (the chunked stream kubectl reads): a watch
 * from a resourceVersion sends exactly the changes after it, a version the watch cache no longer reaches is 410
 * Expired, bookmarks carry the newest version.
 */
class WatchResumeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PODS = "/api/v1/namespaces/default/pods";

    /** The watch cache's clock: the test ages its history by moving it. */
    private final AtomicLong nanos = new AtomicLong(System.nanoTime());
    private ApiServer api;
    private KubernetesClient client;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        api = ApiServer.start(0, Clock.systemUTC(), 300, resource -> { }, nanos::get);
        client = api.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private void pod(String name) {
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withNodeName("node001").addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build()).create();
    }

    private Pod label(String pod, String key, String value) {
        return client.pods().inNamespace("default").withName(pod).edit(p -> {
            p.getMetadata().getLabels().put(key, value);
            return p;
        });
    }

    private void forceDelete(String pod) {
        client.pods().inNamespace("default").withName(pod).withGracePeriod(0).delete();
    }

    private long listVersion() throws Exception {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(api.url() + PODS)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(JSON.readTree(list.body()).path("metadata").path("resourceVersion").asText());
    }

    /** Every event of a watch the server ends by itself (timeoutSeconds), as the client reads them. */
    private List<JsonNode> watch(String query) throws Exception {
        return watch(query, "application/json");
    }

    private List<JsonNode> watch(String query, String accept) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + PODS + "?" + query))
                .header("Accept", accept).timeout(Duration.ofSeconds(20)).build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        try (Stream<String> lines = response.body()) {
            return lines.filter(l -> !l.isBlank()).map(WatchResumeIT::parse).toList();
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not a JSON event: " + line, e);
        }
    }

    private static List<String> described(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText() + " "
                + e.path("object").path("metadata").path("name").asText()).toList();
    }

    private static long version(JsonNode event) {
        return event.path("object").path("metadata").path("resourceVersion").asLong();
    }

    @Test
    void aWatchFromAListsVersionSendsExactlyTheLaterChanges() throws Exception {
        pod("a");
        pod("b");
        long listed = listVersion();
        long bLast = Long.parseLong(client.pods().inNamespace("default").withName("b").get().getMetadata()
                .getResourceVersion());
        label("a", "x", "1");
        pod("c");
        forceDelete("b");

        List<JsonNode> changes = watch("watch=true&resourceVersion=" + listed + "&timeoutSeconds=1");
        assertThat(described(changes)).containsExactly("MODIFIED a", "ADDED c", "DELETED b");
        assertThat(changes).extracting(WatchResumeIT::version).isSorted().allMatch(v -> v > listed);
        assertThat(version(changes.get(2))).as("a deletion has a version of its own").isGreaterThan(bLast);
        assertThat(changes.get(0).path("object").path("metadata").path("labels").path("x").asText()).isEqualTo("1");

        long afterModified = version(changes.get(0));
        assertThat(described(watch("watch=1&resourceVersion=" + afterModified + "&timeoutSeconds=1")))
                .containsExactly("ADDED c", "DELETED b");
        assertThat(described(watch("watch=true&resourceVersion=" + version(changes.get(2)) + "&timeoutSeconds=1")))
                .isEmpty();
        assertThat(described(watch("watch=true&timeoutSeconds=1"))).as("no version: the current state")
                .containsExactly("ADDED a", "ADDED c");
        assertThat(described(watch("watch=true&resourceVersion=0&timeoutSeconds=1"))).as("version 0: any state")
                .containsExactly("ADDED a", "ADDED c");
    }

    @Test
    void anOpenWatchSeesChangesAsTheyHappen() throws Exception {
        pod("a");
        long listed = listVersion();
        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.url() + PODS + "?watch=true&resourceVersion="
                + listed + "&timeoutSeconds=30")).build();
        var stream = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().filter(l -> !l.isBlank()).forEach(l -> seen.add(parse(l))));
        // Whether the watch is registered before or after these writes, it starts from the list's version.
        label("a", "n", "1");
        forceDelete("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> described(seen).contains("DELETED a"));
        assertThat(described(seen)).containsExactly("MODIFIED a", "DELETED a");
        pod("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> described(seen).size() == 3);
        assertThat(described(seen)).last().isEqualTo("ADDED a");
        stream.cancel(true);
    }

    @Test
    void anObjectEnteringOrLeavingTheSelectionIsAddedOrDeleted() throws Exception {
        pod("a");
        long listed = listVersion();
        label("a", "tier", "db");
        label("a", "tier", "web");

        for (String selector : List.of("tier%3Ddb", "tier%20in%20(db,cache)")) {
            List<JsonNode> events = watch("watch=true&labelSelector=" + selector + "&resourceVersion=" + listed
                    + "&timeoutSeconds=1");
            assertThat(described(events)).as(selector).containsExactly("ADDED a", "DELETED a");
            JsonNode left = events.get(1).path("object");
            assertThat(left.path("metadata").path("labels").path("tier").asText())
                    .as("the previous state, at the change's version").isEqualTo("db");
            assertThat(version(events.get(1))).isGreaterThan(version(events.get(0)));
        }
    }

    @Test
    void aVersionTheWatchCacheNoLongerReachesIsGoneAndOneFromTheFutureTooLarge() throws Exception {
        pod("a");
        long start = listVersion();
        // The creation and these updates fill the pods' ring (100 changes), all fresh.
        for (int i = 1; i < WatchCache.LOWER_BOUND_CAPACITY; i++) {
            label("a", "n", String.valueOf(i));
        }
        assertThat(described(watch("watch=true&resourceVersion=" + start + "&timeoutSeconds=1")))
                .as("still in the history").hasSize(WatchCache.LOWER_BOUND_CAPACITY - 1);
        // 76 s later the full ring is stale: it no longer grows, each change pushes the oldest out: first the
        // creation (a watch from its version still gets every later change), then the first update after it.
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(76));
        label("a", "n", "late");
        assertThat(watch("watch=true&resourceVersion=" + start + "&timeoutSeconds=1"))
                .hasSize(WatchCache.LOWER_BOUND_CAPACITY).noneMatch(e -> e.path("type").asText().equals("ERROR"));
        label("a", "n", "later");

        List<JsonNode> gone = watch("watch=true&resourceVersion=" + start + "&timeoutSeconds=5");
        assertThat(gone).hasSize(1);
        assertThat(gone.get(0).path("type").asText()).isEqualTo("ERROR");
        assertThat(gone.get(0).path("object").path("code").asInt()).isEqualTo(410);
        assertThat(gone.get(0).path("object").path("reason").asText()).isEqualTo("Expired");
        assertThat(gone.get(0).path("object").path("message").asText()).startsWith("too old resource version: " + start);

        long now = listVersion();
        assertThat(watch("watch=true&resourceVersion=" + now + "&timeoutSeconds=1")).isEmpty();
        List<JsonNode> future = watch("watch=true&resourceVersion=" + (now + 1000) + "&timeoutSeconds=5");
        assertThat(future).extracting(e -> e.path("object").path("code").asInt()).containsExactly(504);
    }

    @Test
    void bookmarksCarryTheNewestVersionAndEndTheInitialEvents() throws Exception {
        pod("a");
        long listed = listVersion();
        // A bookmark comes 2 s before the deadline (cache_watcher.go nextBookmarkTime).
        List<JsonNode> events = watch("watch=true&allowWatchBookmarks=true&resourceVersion=" + listed
                + "&timeoutSeconds=3");
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("BOOKMARK");
        assertThat(events.get(0).path("object").path("kind").asText()).isEqualTo("Pod");
        assertThat(version(events.get(0))).isGreaterThanOrEqualTo(listed);
        assertThat(watch("watch=true&resourceVersion=" + listed + "&timeoutSeconds=3")).as("not asked for").isEmpty();

        List<JsonNode> initial = watch("watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
                + "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1");
        assertThat(described(initial)).startsWith("ADDED a", "BOOKMARK ");
        assertThat(initial.get(1).path("object").path("metadata").path("annotations")
                .path("k8s.io/initial-events-end").asText()).isEqualTo("true");
    }

    @Test
    void kubectlsTableWatchSendsRowsWithHeadersOnlyFirst() throws Exception {
        pod("a");
        long listed = listVersion();
        label("a", "x", "1");
        label("a", "x", "2");
        List<JsonNode> events = watch("watch=true&resourceVersion=" + listed + "&timeoutSeconds=1",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        assertThat(events).hasSize(2).allMatch(e -> e.path("object").path("kind").asText().equals("Table"));
        assertThat(events.get(0).path("object").path("columnDefinitions").size()).isPositive();
        assertThat(events.get(1).path("object").has("columnDefinitions")).isFalse();
        assertThat(events.get(1).path("object").path("rows").get(0).path("cells").get(0).asText()).isEqualTo("a");
    }

    /**
     * The WebSocket form of a watch (what the Fabric8 client asks for) resumes as the chunked one does. Read with the
     * JDK's WebSocket client, whose listener is in place before the handshake. Through the Fabric8 Vert.x client this
     * test once saw only the live event in a fresh-clone run (not reproduced in nine runs here): events a server
     * sends right after the handshake, as a replay is, may reach a Vert.x client before its handlers are set, as
     * Vert.x users report (quarkusio/quarkus#4541, apache/camel#24740).
     */
    @Test
    void aWebSocketWatchResumesToo() throws Exception {
        pod("a");
        long listed = listVersion();
        label("a", "x", "1");
        pod("b");
        List<String> seen = new CopyOnWriteArrayList<>();
        StringBuilder partial = new StringBuilder();
        java.net.http.WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(api.url().replaceFirst(
                "^http", "ws") + PODS + "?watch=true&resourceVersion=" + listed), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                                                                         boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                JsonNode event = JSON.readTree(partial.toString());
                                seen.add(event.path("type").asText() + " "
                                        + event.path("object").path("metadata").path("name").asText());
                            } catch (java.io.IOException e) {
                                seen.add("unreadable " + partial);
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        forceDelete("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("DELETED a"));
        assertThat(seen).containsExactly("MODIFIED a", "ADDED b", "DELETED a");
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "");
    }
}
