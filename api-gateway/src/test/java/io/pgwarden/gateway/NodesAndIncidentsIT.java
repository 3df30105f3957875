package io.pgwarden.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.validation.Validation;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * GET /api/v1/nodes from node-health events on a real broker, and incident reads forwarded to failover-service
 * (a stub that answers as its IncidentsIT shows it does).
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(FailoverStub.class)
@WithTestResource(SignedIn.class)
class NodesAndIncidentsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private TopicProbe probe;
    private String run;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        FailoverStub.reset();
        FailoverStub.answer("/incidents", 200, "[]");
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        FailoverStub.reset();
        probe.close();
    }

    @Test
    void each_node_shows_its_latest_reading_by_sequence_with_its_open_incident() {
        String a = "a-" + run;
        String b = "b-" + run;
        String gone = "gone-" + run;
        send(health(a, 1, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, false));
        send(health(a, 3, NodeReadiness.UNKNOWN, NodeLiveness.UNREACHABLE,
                List.of(Names.TAINT_UNREACHABLE + ":NoExecute", Names.TAINT_OUT_OF_SERVICE + "=nodeshutdown:NoExecute"),
                false, false));
        // Older than what is known of the node: must not win, whatever order it comes in.
        send(health(a, 2, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, false));
        send(health(b, 7, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), true, false));
        send(health(gone, 1, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, false));
        send(health(gone, 2, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, true));
        FailoverStub.answer("/incidents", 200, "[" + incident("inc-" + run, a, "fenced", "open") + "]");
        // One marker behind the events above on each partition: once all show, every event above was read.
        List<String> markers = markers();
        markers.forEach(m -> send(health(m, 1, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, false)));
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/nodes").then().statusCode(200)
                .body("nodes.name", hasItems(markers.toArray(String[]::new))));

        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/nodes").then().statusCode(200)
                .body(node(a) + ".incident", equalTo("inc-" + run)));
        given().get("/api/v1/nodes").then().statusCode(200)
                .body("complete", equalTo(true), "incidentsUnavailable", nullValue(), "asOf", notNullValue(),
                        "observedAt", notNullValue())
                .body("nodes.name", hasItems(a, b), "nodes.name", not(hasItem(gone)))
                .body(node(a) + ".sequence", equalTo(3), node(a) + ".ready", equalTo("UNKNOWN"),
                        node(a) + ".liveness", equalTo("UNREACHABLE"), node(a) + ".fenced", equalTo(true),
                        node(a) + ".cordoned", equalTo(false), node(a) + ".incident", equalTo("inc-" + run),
                        node(a) + ".leaseAgeMillis", equalTo(16_000), node(a) + ".powerState", equalTo("Off"),
                        node(a) + ".observedAt", equalTo(NOW.plusSeconds(3).toString()))
                .body(node(b) + ".fenced", equalTo(false), node(b) + ".cordoned", equalTo(true),
                        node(b) + ".incident", nullValue(), node(b) + ".ready", equalTo("READY"));
        assertThat(FailoverStub.ASKED).contains("/incidents?state=open&limit=500");
    }

    @Test
    void nodes_are_still_listed_when_failover_service_does_not_answer_and_the_answer_says_so() {
        String a = "a-" + run;
        send(health(a, 1, NodeReadiness.READY, NodeLiveness.ALIVE, List.of(), false, false));
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/nodes").then().body("nodes.name", hasItem(a)));

        FailoverStub.stall();
        // Once the gateway's copy of the incidents is stale (2 s in tests).
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/nodes").then().statusCode(200)
                .body("incidentsUnavailable", containsString("did not answer"), "nodes.name", hasItem(a)));
    }

    @Test
    void incident_reads_are_answered_from_the_gateway_s_copy_and_what_it_does_not_hold_is_forwarded() {
        String id = "inc-" + run;
        FailoverStub.answer("/incidents", 200, "[" + incident(id, "node003", "recovered", "recovered") + "]");

        await().atMost(WAIT).untilAsserted(() -> given().queryParam("node", "node003")
                .queryParam("state", "recovered").get("/api/v1/incidents").then().statusCode(200)
                .body("items.id", contains(id), "items.state", contains("recovered"), "nextCursor", nullValue(),
                        "observedAt", notNullValue()));
        given().queryParam("state", "failed").get("/api/v1/incidents").then().statusCode(200)
                .body("items", empty());
        given().get("/api/v1/incidents/" + id).then().statusCode(200)
                .body("node", equalTo("node003"), "fenceDriver", equalTo("redfish"),
                        "databases", contains("db1/pg-a"), "recoveredAt.'db1/pg-a'", equalTo("2026-11-26T10:00:13.900Z"),
                        "timeline.phase", contains("suspected", "recovered"),
                        "timeline.durationMillis", contains(14000, 0), "endedAt", equalTo("2026-11-26T10:00:14Z"));
        assertThat(FailoverStub.ASKED).as("answered from the copy").noneMatch(asked -> asked.contains("node003")
                || asked.contains("failed") || asked.contains(id));
        given().get("/api/v1/incidents/unknown-" + run).then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no incident unknown-" + run));
        assertThat(FailoverStub.ASKED).as("an id the copy does not hold").contains("/incidents/unknown-" + run);

        // A full copy (the newest 500) cannot say what lies further back: node004's two are in the copy, a third may
        // be older, so a page of two (which needs to know whether there is a third) is forwarded with its parameters,
        // one more asked; a page of one is answered from the copy, with the cursor of the next.
        StringBuilder full = new StringBuilder("[");
        for (int i = 0; i < IncidentReadModel.PAGE; i++) {
            full.append(i == 0 ? "" : ",").append(incident("full-" + i + "-" + run, i < 2 ? "node004" : "node005",
                    "recovered", "recovered"));
        }
        FailoverStub.answer("/incidents", 200, full.append("]").toString());
        await().atMost(WAIT).untilAsserted(() -> given().queryParam("node", "node004").queryParam("limit", "1")
                .get("/api/v1/incidents").then().statusCode(200).body("items.id", contains("full-0-" + run),
                        "nextCursor", equalTo("full-0-" + run)));
        given().queryParam("node", "node004").queryParam("limit", "2").get("/api/v1/incidents").then()
                .statusCode(200);
        given().queryParam("node", "node004").queryParam("limit", "1").queryParam("cursor", "full-0-" + run)
                .get("/api/v1/incidents").then().statusCode(200);
        assertThat(FailoverStub.ASKED).contains("/incidents?node=node004&limit=3",
                "/incidents?node=node004&limit=2&before=full-0-" + run)
                .as("the page of one came from the copy").doesNotContain("/incidents?node=node004&limit=2");
    }

    @Test
    void a_failover_service_that_does_not_answer_is_a_503_that_says_so_once_the_copy_is_stale() {
        // Each once the gateway's copy is older than stale-after (2 s in tests).
        FailoverStub.stall();
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/incidents").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "5")
                .body("detail", containsString("failover-service at http://127.0.0.1:"),
                        "detail", containsString("did not answer"),
                        "detail", containsString("the gateway has no list of the incidents since")));
        FailoverStub.reset();

        FailoverStub.shutDown();
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/incidents/inc-1").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("did not answer")));
        FailoverStub.reset();

        FailoverStub.answer("/incidents", 503, "{\"status\":503,\"detail\":\"the catalog database is unavailable\"}");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/incidents").then().statusCode(503)
                .body("detail", containsString("the catalog database is unavailable")));
        FailoverStub.answer("/incidents", 500, "{\"status\":500,\"detail\":\"see its log\"}");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/incidents").then().statusCode(502)
                .body("detail", containsString("answered HTTP 500")));
    }

    @Test
    void bad_incident_queries_never_leave_the_gateway() {
        FailoverStub.ASKED.clear();
        given().queryParam("state", "closed").get("/api/v1/incidents").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("state"));
        given().queryParam("limit", "many").get("/api/v1/incidents").then().statusCode(400)
                .body("errors.field", hasItem("limit"));
        given().queryParam("limit", "501").get("/api/v1/incidents").then().statusCode(400);
        given().queryParam("cursor", "not an id").get("/api/v1/incidents").then().statusCode(400)
                .body("errors.field", hasItem("cursor"));
        given().queryParam("node", "Bad_Node").get("/api/v1/incidents").then().statusCode(400)
                .body("errors.field", hasItem("node"));
        given().get("/api/v1/incidents/has space").then().statusCode(400).body("errors.field", hasItem("id"));
        given().get("/api/v1/incidents/" + "x".repeat(301)).then().statusCode(400);
        // A long node name makes a long incident id: still an id.
        FailoverStub.answer("/incidents/incident-" + "n".repeat(253) + "-1764151200000", 404, "{}");
        given().get("/api/v1/incidents/incident-" + "n".repeat(253) + "-1764151200000").then().statusCode(404);
        // The copy's refreshes (every 100 ms in tests) ask too; they are not the requests of this test.
        List<String> refreshes = List.of("/incidents?limit=500", "/incidents?state=open&limit=500");
        assertThat(FailoverStub.ASKED.stream().filter(asked -> asked.startsWith("/incidents"))
                .filter(asked -> !refreshes.contains(asked)))
                .as("only the valid id was forwarded").containsExactly("/incidents/incident-" + "n".repeat(253)
                        + "-1764151200000");
    }

    @Test
    void a_gateway_that_starts_later_rebuilds_the_view_from_the_topic_and_says_when_it_is_complete()
            throws Exception {
        // Enough records that reading them takes a while: complete must not be said before the last is read.
        int nodes = 1000;
        for (int i = 0; i < nodes; i++) {
            send(health("late-" + run + "-" + i, 5, NodeReadiness.NOT_READY, NodeLiveness.SUSPECT, List.of(), false,
                    false));
        }
        probe.sendRaw(Topics.NODE_HEALTH, "late-" + run, new RecordHeaders(),
                "{not an event".getBytes(StandardCharsets.UTF_8));

        // A second view, started after the events, as a restarted gateway would be.
        NodeHealthConsumer restarted = new NodeHealthConsumer(Validation.buildDefaultValidatorFactory().getValidator(),
                Map.of("bootstrap.servers", KafkaAndPostgresResource.bootstrapServers()), new SimpleMeterRegistry(),
                Clock.systemUTC());
        restarted.start(null);
        try {
            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(restarted::complete);
            assertThat(restarted.view().nodes()).filteredOn(n -> n.node().startsWith("late-" + run + "-"))
                    .hasSize(nodes).allMatch(n -> n.sequence() == 5);
            // Caught up with the topic, and saying since when.
            await().atMost(WAIT).until(() -> restarted.observedAt() != null);
            assertThat(restarted.observedAt()).isBefore(Instant.now().plusSeconds(1));
        } finally {
            restarted.stop(null);
        }
    }

    private static String node(String name) {
        return "nodes.find { it.name == '" + name + "' }";
    }

    private void send(NodeHealthChanged event) {
        probe.send("/test/node-watcher", event, event.node());
    }

    private static NodeHealthChanged health(String node, long sequence, NodeReadiness ready, NodeLiveness liveness,
                                            List<String> taints, boolean cordoned, boolean deleted) {
        return new NodeHealthChanged(node, ready, ready == NodeReadiness.READY ? "KubeletReady" : "NodeStatusUnknown",
                cordoned, taints, liveness, liveness == NodeLiveness.ALIVE ? null : "lease not renewed for 16 s",
                NOW.minusSeconds(13), 16_000L, "Off", deleted, String.valueOf(sequence), NOW.plusSeconds(sequence),
                sequence);
    }

    /** A node name per partition, by the producer's partitioner for keyed records (murmur2 of the key). */
    private List<String> markers() {
        String[] byPartition = new String[Topics.PARTITIONS];
        for (int i = 0; java.util.Arrays.stream(byPartition).anyMatch(java.util.Objects::isNull); i++) {
            String key = "marker-" + run + "-" + i;
            int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % Topics.PARTITIONS;
            if (byPartition[partition] == null) {
                byPartition[partition] = key;
            }
        }
        return List.of(byPartition);
    }

    private static String incident(String id, String node, String phase, String state) {
        return "{\"id\":\"" + id + "\",\"node\":\"" + node + "\",\"phase\":\"" + phase + "\",\"state\":\"" + state
                + "\",\"outcome\":null,\"step\":null,\"startedAt\":\"2026-11-26T10:00:00Z\","
                + "\"endedAt\":\"2026-11-26T10:00:14Z\",\"databases\":[\"db1/pg-a\"],"
                + "\"recoveredAt\":{\"db1/pg-a\":\"2026-11-26T10:00:13.900Z\"},\"fenceDriver\":\"redfish\","
                + "\"timeline\":[{\"phase\":\"suspected\",\"at\":\"2026-11-26T10:00:00Z\",\"durationMillis\":14000},"
                + "{\"phase\":\"recovered\",\"at\":\"2026-11-26T10:00:14Z\",\"durationMillis\":0}],"
                + "\"asOf\":\"2026-11-26T10:01:00Z\",\"addedLater\":true}";
    }
}
