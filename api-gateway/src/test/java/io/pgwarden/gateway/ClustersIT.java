package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

/**
 * The planned operations' routes (commands on a real broker, their statuses back) and the cluster reads forwarded to
 * failover-service (a stub that answers as its ClustersIT shows it does).
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(FailoverStub.class)
@WithTestResource(SignedIn.class)
class ClustersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private TopicProbe probe;
    private String run;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS);
        FailoverStub.reset();
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        FailoverStub.reset();
        probe.close();
    }

    @Test
    void each_planned_operation_becomes_its_command_keyed_by_the_database() throws Exception {
        String db = "pg-" + run;
        String move = post("/failover", "{\"targetNode\":\"node002\",\"reason\":\"kernel upgrade\"}")
                .header("Location", containsString("/api/v1/commands/"))
                .body("state", equalTo("SUBMITTED"), "subject", equalTo("db1/" + db)).extract().path("id");
        String moveDefaults = post("/failover", null).extract().path("id");
        String failback = post("/failback", "{\"moveBack\":true}").extract().path("id");
        String stop = post("/stop?dryRun=true", "{\"reason\":\"storage maintenance\"}").extract().path("id");
        String start = post("/start?dryRun=false", null).extract().path("id");

        assertThat(sent(move, MoveDatabase.class)).isEqualTo(new MoveDatabase("db1", db, "node002", false, false,
                "kernel upgrade"));
        assertThat(sent(moveDefaults, MoveDatabase.class)).isEqualTo(new MoveDatabase("db1", db, null, false, false,
                null));
        assertThat(sent(failback, FailbackDatabase.class)).isEqualTo(new FailbackDatabase("db1", db, true, false,
                null));
        assertThat(sent(stop, StopDatabase.class)).isEqualTo(new StopDatabase("db1", db, true, "storage maintenance"));
        assertThat(sent(start, StartDatabase.class)).isEqualTo(new StartDatabase("db1", db, false, null));
    }

    @Test
    void a_dry_run_s_plan_is_the_command_s_result() throws Exception {
        String id = post("/failover?dryRun=true", "{\"ignoreDisruptionBudget\":true}").extract().path("id");
        assertThat(sent(id, MoveDatabase.class)).isEqualTo(new MoveDatabase("db1", "pg-" + run, null, true, true,
                null));

        String plan = "dry run: would cordon node001, evict pg-" + run + "-0; node002 and node003 are schedulable";
        Statuses.send(probe, id, CommandState.SUCCEEDED, 2, null, plan);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then().statusCode(200)
                .body("state", equalTo("SUCCEEDED"), "reason", equalTo(plan)));
    }

    @Test
    void an_idempotency_key_makes_a_retry_the_same_command_and_another_body_a_422() {
        String key = "move-" + run;
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"targetNode\":\"node002\"}").post(path("/failover")).then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{ \"targetNode\" : \"node002\" }")
                .post(path("/failover")).then().statusCode(202).body("id", equalTo(first));
        // A dry run is another request than the move itself.
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"targetNode\":\"node002\"}")
                .post(path("/failover?dryRun=true")).then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("Idempotency-Key '" + key + "'"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).post(path("/stop")).then()
                .statusCode(422).contentType("application/problem+json");
    }

    @Test
    void bad_operation_requests_get_problem_json_and_send_nothing() {
        given().contentType(ContentType.JSON).post("/api/v1/clusters/Db_1/pg/failover").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("namespace"));
        given().contentType(ContentType.JSON).post("/api/v1/clusters/db1/" + "p".repeat(64) + "/stop").then()
                .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("cluster"));
        given().contentType(ContentType.JSON).body("{\"targetNode\":\"Node_2\"}").post(path("/failover")).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("body.targetNode"), "detail", containsString("DNS-1123 subdomain"));
        given().contentType(ContentType.JSON).post(path("/failover?dryRun=yes")).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("dryRun"), "detail", containsString("must be true or false"));
        given().contentType(ContentType.JSON).body("{\"moveBack\":\"yes\"}").post(path("/failback")).then()
                .statusCode(400).contentType("application/problem+json").body("detail", containsString("field 'moveBack'"));
        given().contentType(ContentType.JSON).body("{\"moveBack\":true}").post(path("/stop")).then().statusCode(400)
                .contentType("application/problem+json").body("detail", equalTo("unknown field 'moveBack'"));
        given().contentType(ContentType.JSON).body("{\"reason\":\"" + "x".repeat(513) + "\"}").post(path("/start"))
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("body.reason"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "").post(path("/start")).then()
                .statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.TEXT).body("stop").post(path("/stop")).then().statusCode(415)
                .contentType("application/problem+json");
    }

    @Test
    void cluster_reads_are_answered_from_the_gateway_s_copy_of_failover_service_s_list() {
        FailoverStub.answer("/clusters", 200, "{\"observedAt\":\"2026-11-26T23:00:00Z\",\"clusters\":["
                + cluster("pg-a") + "," + cluster("pg-b") + "],\"addedLater\":1}");

        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters").then().statusCode(200)
                .body("observedAt", equalTo("2026-11-26T23:00:00Z"), "clusters.name", hasItems("pg-a", "pg-b")));
        given().get("/api/v1/clusters/db1/pg-a").then().statusCode(200)
                .body("name", equalTo("pg-a"), "phase", equalTo("moving"), "node", equalTo("node001"),
                        "ready", equalTo(true), "movedFrom", equalTo("node003"),
                        "operation.kind", equalTo("MoveDatabase"), "operation.since", equalTo("2026-11-26T22:59:50Z"),
                        "lastIncident.id", equalTo("incident-node003-1"), "lastIncident.state", equalTo("recovered"),
                        "observedAt", equalTo("2026-11-26T23:00:00Z"))
                .body("$", not(hasKey("addedLater")));
        given().get("/api/v1/clusters/db1/pg-unknown").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no managed database db1/pg-unknown"));
        given().get("/api/v1/clusters/db1/Bad_Name").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("cluster"));

        // 300 reads cost failover-service its refreshes (every 100 ms in tests), not a request each.
        FailoverStub.ASKED.clear();
        long start = System.nanoTime();
        for (int i = 0; i < 150; i++) {
            given().get("/api/v1/clusters").then().statusCode(200);
            given().get("/api/v1/clusters/db1/pg-b").then().statusCode(200);
        }
        long refreshes = Duration.ofNanos(System.nanoTime() - start).toMillis() / 100 + 2;
        // The stub stands in for backup-service too, whose catalog the gateway copies as well.
        assertThat(FailoverStub.ASKED.stream().filter(asked -> !asked.startsWith("/incidents")
                && !asked.startsWith("/backups")))
                .as("asked of failover-service during 300 reads (besides its incidents)").isNotEmpty()
                .allMatch("/clusters"::equals).hasSizeLessThanOrEqualTo((int) refreshes);
    }

    @Test
    void a_failover_service_that_cannot_answer_is_a_503_that_says_so_once_the_copy_is_stale() {
        FailoverStub.answer("/clusters", 200, "{\"observedAt\":\"2026-11-26T23:00:00Z\",\"clusters\":["
                + cluster("pg-a") + "]}");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters/db1/pg-a").then().statusCode(200));

        FailoverStub.stall();
        // Shown while younger than stale-after (2 s in tests), then the reason.
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "5")
                .body("detail", containsString("did not answer"))
                .body("detail", containsString("the gateway has no list of the managed databases since 20")));
        FailoverStub.reset();

        FailoverStub.shutDown();
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters/db1/pg-a").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("did not answer")));
        FailoverStub.reset();

        FailoverStub.answer("/clusters", 503, "{\"status\":503,\"detail\":\"failover-service has not listed the"
                + " managed StatefulSets, their pods and locks yet\"}");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters").then().statusCode(503)
                .contentType("application/problem+json")
                .body("detail", containsString("has not listed the managed StatefulSets")));
    }

    @Test
    void the_routes_are_in_openapi() {
        for (String op : new String[]{"failover", "failback", "stop", "start"}) {
            String post = "paths.'/api/v1/clusters/{namespace}/{cluster}/" + op + "'.post";
            given().get("/q/openapi?format=json").then().statusCode(200)
                    .body(post + ".parameters.name", hasItems("namespace", "cluster", "dryRun", "Idempotency-Key"))
                    .body(post + ".responses.keySet()", hasItems("202", "400", "422", "503"))
                    .body(post + ".responses.'400'.content.keySet()", hasItem("application/problem+json"));
        }
        given().get("/q/openapi?format=json").then()
                .body("paths.'/api/v1/clusters'.get.responses.keySet()", hasItems("200", "503"))
                .body("paths.'/api/v1/clusters'.get.description", containsString("observedAt"))
                .body("paths.'/api/v1/clusters/{namespace}/{cluster}'.get.responses.keySet()",
                        hasItems("200", "400", "404", "503"))
                .body("paths.'/api/v1/clusters/{namespace}/{cluster}'.get.responses.'404'.content.keySet()",
                        hasItem("application/problem+json"));
    }

    private String path(String operation) {
        return "/api/v1/clusters/db1/pg-" + run + operation;
    }

    private io.restassured.response.ValidatableResponse post(String operation, String body) {
        var request = given().contentType(ContentType.JSON);
        if (body != null) {
            request = request.body(body);
        }
        return request.post(path(operation)).then().statusCode(202);
    }

    private <T> T sent(String id, Class<T> type) throws Exception {
        ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(id::equals).isPresent(), WAIT);
        assertThat(command.key()).isEqualTo("db1/pg-" + run);
        TopicProbe.assertConformsToContract(command);
        return Json.read(command.value(), type);
    }

    private static String cluster(String name) {
        return "{\"namespace\":\"db1\",\"name\":\"" + name + "\",\"phase\":\"moving\",\"detail\":null,\"replicas\":1,"
                + "\"stoppedReplicas\":null,\"pod\":\"" + name + "-0\",\"node\":\"node001\",\"ready\":true,"
                + "\"movedFrom\":\"node003\",\"operation\":{\"kind\":\"MoveDatabase\",\"id\":\"cmd-1\","
                + "\"service\":\"failover-service\",\"since\":\"2026-11-26T22:59:50Z\","
                + "\"renewedAt\":\"2026-11-26T22:59:58Z\"},\"lastIncident\":{\"id\":\"incident-node003-1\","
                + "\"node\":\"node003\",\"state\":\"recovered\",\"phase\":\"recovered\","
                + "\"startedAt\":\"2026-11-26T20:00:00Z\",\"endedAt\":\"2026-11-26T20:00:14Z\"},"
                + "\"observedAt\":\"2026-11-26T23:00:00Z\",\"addedLater\":true}";
    }
}
