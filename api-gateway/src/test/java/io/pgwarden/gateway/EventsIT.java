package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /api/v1/events against a real broker, read as the operator page reads it (a bearer token, SSE parsed by hand):
 * order, resume with Last-Event-ID and ?since= without gaps or repeats, filters, heartbeats, and who may read it.
 * Each test names its own nodes and databases, so the events of the others do not disturb it.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class EventsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TopicProbe probe;
    private String run;
    private final List<SseClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (SseClient client : clients) {
            client.close();
        }
        probe.close();
    }

    @Test
    void events_come_in_order_and_a_client_that_resumes_gets_exactly_the_rest() throws Exception {
        String node = "n-" + run;
        SseClient first = live("/api/v1/events?node=" + node, node);
        IntStream.rangeClosed(1, 5).forEach(i -> activity(node, node, "step-" + i));
        await().atMost(WAIT).until(() -> actions(first).size() >= 3);
        SseClient.Event third = first.named("activity").stream()
                .filter(e -> action(e).equals("step-3")).findFirst().orElseThrow();
        first.close();

        IntStream.rangeClosed(6, 9).forEach(i -> activity(node, node, "step-" + i));
        SseClient resumed = open("/api/v1/events?node=" + node, Map.of("Last-Event-ID", third.id()));
        await().atMost(WAIT).until(() -> actions(resumed).contains("step-9"));
        assertThat(actions(resumed)).containsExactly("step-4", "step-5", "step-6", "step-7", "step-8", "step-9");

        // The same with ?since=, from the resumed stream's own ids: one later, the rest follows.
        SseClient.Event sixth = resumed.named("activity").stream()
                .filter(e -> action(e).equals("step-6")).findFirst().orElseThrow();
        SseClient since = open("/api/v1/events?node=" + node + "&since=" + sixth.id(), Map.of());
        await().atMost(WAIT).until(() -> actions(since).contains("step-9"));
        assertThat(actions(since)).containsExactly("step-7", "step-8", "step-9");
    }

    @Test
    void a_client_resuming_from_events_retention_deleted_is_told_the_gap_before_the_rest() throws Exception {
        String node = "g-" + run;
        SseClient first = live("/api/v1/events?node=" + node, node);
        activity(node, node, "step-1");
        await().atMost(WAIT).until(() -> actions(first).contains("step-1"));
        String cursor = first.named("activity").get(0).id();
        first.close();

        activity(node, node, "step-2");
        activity(node, node, "step-3");
        RecordMetadata fourth = activity(node, node, "step-4");
        TopicPartition partition = new TopicPartition(fourth.topic(), fourth.partition());
        // As retention would: the partition now starts at step-4.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaAndPostgresResource.bootstrapServers()))) {
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(fourth.offset()))).all().get();
        }

        SseClient resumed = open("/api/v1/events?node=" + node, Map.of("Last-Event-ID", cursor));
        await().atMost(WAIT).until(() -> actions(resumed).contains("step-4"));
        assertThat(actions(resumed)).containsExactly("step-4");
        List<String> names = resumed.events.stream().map(SseClient.Event::name).filter(n -> n != null).toList();
        assertThat(names).as("the gap comes first, once").containsExactly("gap", "activity");
        JsonNode gap = JSON.readTree(resumed.named("gap").get(0).data());
        assertThat(gap.path("topic").asText()).isEqualTo(Topics.ACTIVITY);
        assertThat(gap.path("partition").asInt()).isEqualTo(fourth.partition());
        assertThat(gap.path("earliest").asLong()).isEqualTo(fourth.offset());
        assertThat(gap.path("missed").asLong()).as("step-2 and step-3 at least").isGreaterThanOrEqualTo(2);
        assertThat(gap.path("from").asLong() + gap.path("missed").asLong()).isEqualTo(fourth.offset());
    }

    @Test
    void a_client_that_stops_reading_loses_its_stream_without_holding_up_others_and_resumes_without_gaps()
            throws Exception {
        String node = "s-" + run;
        SseClient fast = live("/api/v1/events?node=" + node, node);
        try (StalledSseClient slow = new StalledSseClient(RestAssured.port, "/api/v1/events?node=" + node,
                SignedIn.bearer("it-viewer-" + run, Roles.VIEWER))) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
                activity("marker-" + run, node, "Marker");
                return slow.readUntil("Marker", Duration.ofMillis(300));
            });
            // More than the gateway's and the kernel's socket buffers take (a few MiB), and the client buffer (100
            // events in tests) after them.
            int count = 2000;
            String detail = "x".repeat(4000);
            IntStream.rangeClosed(1, count).forEach(i -> activity(node, node, "step-" + i, detail));

            await().atMost(WAIT).until(() -> actions(fast).size() >= count);
            assertThat(fast.ended()).isFalse();
            assertThat(slow.readToEnd(WAIT)).as("the slow client's stream ended").isTrue();
            List<SseClient.Event> got = slow.events().stream().filter(e -> !action(e).equals("Marker")).toList();
            assertThat(got).as("it ended before the last event").hasSizeLessThan(count);

            String lastId = slow.events().get(slow.events().size() - 1).id();
            SseClient resumed = open("/api/v1/events?node=" + node, Map.of("Last-Event-ID", lastId));
            await().atMost(WAIT).until(() -> actions(resumed).contains("step-" + count));
            List<String> all = new ArrayList<>(got.stream().map(EventsIT::action).toList());
            all.addAll(actions(resumed));
            assertThat(all).isEqualTo(IntStream.rangeClosed(1, count).mapToObj(i -> "step-" + i).toList());
        }
    }

    @Test
    void each_event_carries_its_cursor_name_and_cloud_event_on_one_data_line() throws Exception {
        String node = "w-" + run;
        SseClient client = live("/api/v1/events?node=" + node, node);
        activity(node, node, "NodeCordoned");
        await().atMost(WAIT).until(() -> actions(client).contains("NodeCordoned"));

        SseClient.Event event = client.named("activity").stream()
                .filter(e -> action(e).equals("NodeCordoned")).findFirst().orElseThrow();
        assertThat(event.id()).matches("^[ahc][0-9]+_[0-9]+(\\.[ahc][0-9]+_[0-9]+)*$");
        JsonNode data = JSON.readTree(event.data());
        assertThat(data.path("type").asText()).isEqualTo(MessageType.ACTIVITY_RECORDED.ceType());
        assertThat(data.path("subject").asText()).isEqualTo(node);
        assertThat(Instant.parse(data.path("time").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(data.path("data").path("detail").asText()).isEqualTo("test " + run);
        assertThat(client.contentType).startsWith("text/event-stream");
        assertThat(client.lines).contains("event: activity", "id: " + event.id(), "data: " + event.data());
    }

    @Test
    void a_client_gets_only_the_events_that_name_its_node_or_its_cluster() throws Exception {
        String node = "f-" + run;
        String other = "o-" + run;
        String cluster = "db-" + run + "/pg";
        SseClient byNode = live("/api/v1/events?node=" + node, node);
        SseClient byCluster = live("/api/v1/events?cluster=" + cluster, cluster);
        SseClient both = live("/api/v1/events?cluster=" + cluster + "&node=" + node, node);

        // On each topic the event no filter wants goes first, on the same partition (same key) as one that is
        // wanted: once the wanted one shows, the other has been passed over.
        String key = "k-" + run;
        activity(key, other, "OtherNode");
        activity(key, node, "ThisNode");
        activity(key, cluster, "ThisCluster");
        health(key, other);
        health(key, node);
        status(key, other, "c-other");
        status(key, cluster, "c-cluster");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(actions(byNode)).contains("ThisNode");
            assertThat(byNode.named("health")).isNotEmpty();
            assertThat(actions(byCluster)).contains("ThisCluster");
            assertThat(byCluster.named("command-status")).isNotEmpty();
            assertThat(both.named("command-status")).isNotEmpty();
            assertThat(both.named("health")).isNotEmpty();
            assertThat(actions(both)).contains("ThisNode", "ThisCluster");
        });
        assertThat(actions(byNode)).containsExactly("ThisNode");
        assertThat(byNode.named("health")).extracting(e -> payload(e).path("node").asText()).containsExactly(node);
        assertThat(byNode.named("command-status")).isEmpty();
        assertThat(actions(byCluster)).containsExactly("ThisCluster");
        assertThat(byCluster.named("health")).isEmpty();
        assertThat(byCluster.named("command-status")).extracting(e -> payload(e).path("commandId").asText())
                .containsExactly("c-cluster");
        assertThat(actions(both)).containsExactly("ThisNode", "ThisCluster");
    }

    @Test
    void an_idle_stream_gets_heartbeats() throws Exception {
        SseClient client = open("/api/v1/events?node=idle-" + run, Map.of());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.lines).contains(": heartbeat"));
        assertThat(client.events).extracting(SseClient.Event::comment).contains("heartbeat");
    }

    @Test
    void the_stream_needs_a_token_and_a_viewer_may_read_it() throws Exception {
        SseClient anonymous = SseClient.open(RestAssured.port, "/api/v1/events", Map.of());
        assertThat(anonymous.status).isEqualTo(401);
        assertThat(anonymous.contentType).startsWith("application/problem+json");
        assertThat(anonymous.problem()).contains("needs a bearer token");

        SseClient viewer = open("/api/v1/events", Map.of());
        assertThat(viewer.status).isEqualTo(200);
    }

    @Test
    void a_bad_filter_or_cursor_is_a_400_that_says_what_to_send() throws Exception {
        SseClient badCluster = open("/api/v1/events?cluster=no-slash", Map.of());
        assertThat(badCluster.status).isEqualTo(400);
        assertThat(badCluster.problem()).contains("namespace/name");
        SseClient badNode = open("/api/v1/events?node=Not_A_Node", Map.of());
        assertThat(badNode.status).isEqualTo(400);
        SseClient badCursor = open("/api/v1/events", Map.of("Last-Event-ID", "z9_1"));
        assertThat(badCursor.status).isEqualTo(400);
        assertThat(badCursor.contentType).startsWith("application/problem+json");
        assertThat(badCursor.problem()).contains("Last-Event-ID").contains("send an event's id back as it came");
        SseClient badSince = open("/api/v1/events?since=a0_x", Map.of());
        assertThat(badSince.status).isEqualTo(400);
        assertThat(badSince.problem()).contains("since");
    }

    /**
     * A viewer's stream that is surely subscribed: markers naming {@code name} are sent until one shows, then the
     * markers are forgotten, so the test sees only its own events.
     */
    private SseClient live(String pathAndQuery, String name) throws Exception {
        SseClient client = open(pathAndQuery, Map.of());
        assertThat(client.status).isEqualTo(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            activity("marker-" + run, name, "Marker");
            assertThat(markers(client)).as("lines %s", client.lines).isNotEmpty();
        });
        client.events.clear();
        return client;
    }

    private SseClient open(String pathAndQuery, Map<String, String> headers) throws Exception {
        Map<String, String> withToken = new java.util.HashMap<>(headers);
        withToken.put("Authorization", SignedIn.bearer("it-viewer-" + run, Roles.VIEWER));
        SseClient client = SseClient.open(RestAssured.port, pathAndQuery, withToken);
        clients.add(client);
        return client;
    }

    private static List<String> markers(SseClient client) {
        return client.named("activity").stream().map(EventsIT::action).filter(a -> a.equals("Marker")).toList();
    }

    private static List<String> actions(SseClient client) {
        return client.named("activity").stream().map(EventsIT::action).filter(a -> !a.equals("Marker")).toList();
    }

    private static String action(SseClient.Event event) {
        return payload(event).path("action").asText();
    }

    private static JsonNode payload(SseClient.Event event) {
        try {
            return JSON.readTree(event.data()).path("data");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private RecordMetadata activity(String key, String subject, String action) {
        return activity(key, subject, action, "test " + run);
    }

    private RecordMetadata activity(String key, String subject, String action, String detail) {
        return send(Topics.ACTIVITY, key, MessageType.ACTIVITY_RECORDED, subject,
                new ActivityRecorded(subject, action, true, detail));
    }

    private void health(String key, String node) {
        send(Topics.NODE_HEALTH, key, MessageType.NODE_HEALTH_CHANGED, node,
                new NodeHealthChanged(node, NodeReadiness.READY, "KubeletReady", false, List.of(), NodeLiveness.ALIVE,
                        null, Instant.now(), 0L, null, false, "1", Instant.now(), 1));
    }

    private void status(String key, String subject, String commandId) {
        send(Topics.COMMAND_STATUS, key, MessageType.COMMAND_STATUS_CHANGED, commandId,
                new CommandStatusChanged(commandId, MessageType.STOP_DATABASE.ceType(), subject, CommandState.ACCEPTED,
                        null, null, "failover-service", 1));
    }

    private RecordMetadata send(String topic, String key, MessageType type, String subject, Object body) {
        MessageMetadata metadata = MessageMetadata.create("/test/events", type, Instant.now(), subject, null);
        return probe.sendRaw(topic, key, CloudEventsKafka.headers(metadata), Json.write(body));
    }
}
