package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.PauseFailover;
import io.pgwarden.contracts.command.ResumeFailover;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UnfenceNode;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** REST in, commands on Kafka out, statuses back in; on a real broker and a real PostgreSQL. */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class GatewayIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private TopicProbe probe;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS, Topics.DEAD_LETTER);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    @Test
    void cordon_becomes_a_command_on_kafka_and_its_status_shows_on_the_command_url() throws Exception {
        String id = given().contentType(ContentType.JSON).header("X-Correlation-Id", "change-4711")
                .body("{\"reason\":\"kernel upgrade\"}")
                .post("/api/v1/nodes/node001/cordon")
                .then().statusCode(202)
                .header("Location", containsString("/api/v1/commands/"))
                .body("state", equalTo("SUBMITTED"), "subject", equalTo("node001"),
                        "correlationId", equalTo("change-4711"), "sequence", equalTo(0))
                .extract().path("id");
        CommandView stored = given().get("/api/v1/commands/" + id).then().statusCode(200).extract().as(CommandView.class);
        assertThat(stored.expiresAt()).isEqualTo(stored.submittedAt().plus(Duration.ofMinutes(15)));

        ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(id::equals).isPresent(), WAIT);
        assertThat(command.key()).isEqualTo("node001");
        assertThat(Json.read(command.value(), CordonNode.class)).isEqualTo(new CordonNode("node001", "kernel upgrade"));
        assertThat(CloudEventsKafka.header(command.headers(), "ce_correlationid")).contains("change-4711");
        assertThat(CloudEventsKafka.header(command.headers(), "ce_source")).contains("/pgwarden/api-gateway");
        assertThat(CloudEventsKafka.metadata(command.headers()).expiresAt()).isEqualTo(stored.expiresAt());
        TopicProbe.assertConformsToContract(command);

        Statuses.send(probe, id, CommandState.RUNNING, 2, "cordon", null);
        Statuses.send(probe, id, CommandState.SUCCEEDED, 3, null, "cordoned node node001");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then().statusCode(200)
                .body("state", equalTo("SUCCEEDED"), "reason", equalTo("cordoned node node001"),
                        "service", equalTo("failover-service"), "sequence", equalTo(3)));
        // A late re-delivery must not undo the final state; a marker behind it on the same partition shows it was read.
        Statuses.send(probe, id, CommandState.ACCEPTED, 1, null, null);
        String marker = java.util.UUID.randomUUID().toString();
        Statuses.send(probe, marker, id, CommandState.ACCEPTED, 1, null, null);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + marker).then().statusCode(200));
        given().get("/api/v1/commands/" + id).then().body("state", equalTo("SUCCEEDED"), "sequence", equalTo(3));
    }

    @Test
    void a_backup_request_becomes_a_take_backup_command() throws Exception {
        CommandView submitted = given().contentType(ContentType.JSON).body("{\"method\":\"online\"}")
                .post("/api/v1/clusters/default/pg-rook-sf/backups")
                .then().statusCode(202).extract().as(CommandView.class);
        String id = submitted.id();
        assertThat(submitted.expiresAt()).isEqualTo(submitted.submittedAt().plus(Duration.ofHours(1)));

        ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(id::equals).isPresent(), WAIT);
        assertThat(command.key()).isEqualTo("default/pg-rook-sf");
        assertThat(Json.read(command.value(), TakeBackup.class).method()).isEqualTo(BackupMethod.ONLINE);
    }

    @Test
    void a_backup_schedule_is_set_and_deleted_by_commands() throws Exception {
        String set = given().contentType(ContentType.JSON)
                .body("{\"cron\":\"0 3 * * *\",\"zone\":\"Europe/Berlin\",\"keepLast\":7,\"maxAge\":\"P30D\","
                        + "\"drill\":true,\"missedSlots\":\"skip\"}")
                .put("/api/v1/clusters/default/pg-rook-sf/backup-schedule")
                .then().statusCode(202).extract().path("id");
        SetBackupSchedule schedule = Json.read(probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(set::equals).isPresent(), WAIT).value(), SetBackupSchedule.class);
        assertThat(schedule).isEqualTo(new SetBackupSchedule("default", "pg-rook-sf", "0 3 * * *", "Europe/Berlin",
                null, null, 7, "P30D", true, null, MissedSlots.SKIP, null));

        given().contentType(ContentType.JSON).put("/api/v1/clusters/default/pg-rook-sf/backup-schedule")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("a body with the schedule's cron is required"));
        given().contentType(ContentType.JSON).body("{\"cron\":\"0 3 * * *\",\"missedSlots\":\"never\"}")
                .put("/api/v1/clusters/default/pg-rook-sf/backup-schedule")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'missedSlots'"));

        String delete = given().delete("/api/v1/clusters/default/pg-rook-sf/backup-schedule")
                .then().statusCode(202).extract().path("id");
        assertThat(Json.read(probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id").filter(delete::equals)
                .isPresent(), WAIT).value(), DeleteBackupSchedule.class).cluster()).isEqualTo("pg-rook-sf");
    }

    @Test
    void unfence_pause_and_resume_become_their_commands_like_cordon() throws Exception {
        String unfence = given().contentType(ContentType.JSON).header("Idempotency-Key", "unfence-node003-1")
                .body("{\"powerOn\":true,\"reason\":\"BMC replaced\"}").post("/api/v1/nodes/node003/unfence")
                .then().statusCode(202).header("Location", containsString("/api/v1/commands/"))
                .body("state", equalTo("SUBMITTED"), "subject", equalTo("node003")).extract().path("id");
        // The same key and body: the same command, not a second one.
        given().contentType(ContentType.JSON).header("Idempotency-Key", "unfence-node003-1")
                .body("{\"reason\":\"BMC replaced\",\"powerOn\":true}").post("/api/v1/nodes/node003/unfence")
                .then().statusCode(202).body("id", equalTo(unfence));
        String unfenceNoBody = given().contentType(ContentType.JSON).post("/api/v1/nodes/node004/unfence")
                .then().statusCode(202).extract().path("id");
        String pause = given().contentType(ContentType.JSON).body("{\"reason\":\"storage maintenance\"}")
                .post("/api/v1/failover/pause").then().statusCode(202)
                .header("Location", containsString("/api/v1/commands/")).body("subject", equalTo("failover"))
                .extract().path("id");
        String resume = given().contentType(ContentType.JSON).post("/api/v1/failover/resume").then().statusCode(202)
                .body("subject", equalTo("failover")).extract().path("id");

        ConsumerRecord<String, byte[]> sent = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(unfence::equals).isPresent(), WAIT);
        assertThat(sent.key()).isEqualTo("node003");
        assertThat(Json.read(sent.value(), UnfenceNode.class)).isEqualTo(new UnfenceNode("node003", true, "BMC replaced"));
        TopicProbe.assertConformsToContract(sent);
        sent = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id").filter(unfenceNoBody::equals).isPresent(),
                WAIT);
        assertThat(Json.read(sent.value(), UnfenceNode.class)).isEqualTo(new UnfenceNode("node004", false, null));
        sent = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id").filter(pause::equals).isPresent(), WAIT);
        assertThat(sent.key()).isEqualTo("failover");
        assertThat(Json.read(sent.value(), PauseFailover.class)).isEqualTo(new PauseFailover("storage maintenance"));
        TopicProbe.assertConformsToContract(sent);
        sent = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id").filter(resume::equals).isPresent(), WAIT);
        assertThat(sent.key()).isEqualTo("failover");
        assertThat(Json.read(sent.value(), ResumeFailover.class)).isEqualTo(new ResumeFailover(null));
        assertThat(CloudEventsKafka.header(sent.headers(), "ce_type")).contains("io.pgwarden.ResumeFailover");
    }

    @Test
    void bad_unfence_pause_and_resume_requests_get_problem_json() {
        given().contentType(ContentType.JSON).body("{\"powerOn\":\"yes\"}").post("/api/v1/nodes/node001/unfence")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'powerOn'"));
        given().contentType(ContentType.JSON).body("{\"force\":true}").post("/api/v1/nodes/node001/unfence")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("unknown field 'force'"));
        given().contentType(ContentType.JSON).post("/api/v1/nodes/Node_1/unfence").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("node"));
        given().contentType(ContentType.JSON).body("{\"reason\":\"" + "x".repeat(513) + "\"}")
                .post("/api/v1/failover/pause").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("body.reason"));
        given().contentType(ContentType.JSON).body("{\"powerOn\":true}").post("/api/v1/failover/resume")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("unknown field 'powerOn'"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "").post("/api/v1/failover/pause")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.TEXT).body("pause").post("/api/v1/failover/pause").then().statusCode(415)
                .contentType("application/problem+json");
    }

    @Test
    void bad_requests_get_problem_json_that_says_what_is_wrong() {
        given().contentType(ContentType.JSON).post("/api/v1/nodes/Bad_Node/cordon").then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400), "errors.field", hasItem("node"),
                        "detail", containsString("DNS-1123 subdomain"));
        given().contentType(ContentType.JSON).body("{\"reason\":").post("/api/v1/nodes/node001/cordon")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("malformed JSON"));
        given().contentType(ContentType.JSON).body("{\"force\":true}").post("/api/v1/nodes/node001/cordon")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("unknown field 'force'"));
        given().contentType(ContentType.JSON).body("{\"method\":\"TAR\"}").post("/api/v1/clusters/default/pg/backups")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("field 'method'"));
        given().contentType(ContentType.JSON).body("{\"label\":\"two\\nlines\"}")
                .post("/api/v1/clusters/default/pg/backups")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("one line of printable characters"));
        given().contentType(ContentType.JSON).header("X-Correlation-Id", "no spaces allowed").post("/api/v1/nodes/node001/cordon")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("correlationId"));
        given().contentType(ContentType.TEXT).body("cordon please").post("/api/v1/nodes/node001/cordon")
                .then().statusCode(415).contentType("application/problem+json");
        given().get("/api/v1/commands/not-a-uuid").then().statusCode(400).contentType("application/problem+json");
        given().get("/api/v1/commands/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("no command 00000000-0000-0000-0000-000000000000"));
    }

    @Test
    void a_status_that_does_not_parse_is_dead_lettered_and_the_next_one_still_applies() {
        // Unique, so the probe (which reads from offset 0) cannot match a record another test left.
        String garbage = "{oops " + java.util.UUID.randomUUID();
        probe.sendRaw(Topics.COMMAND_STATUS, "x", new RecordHeaders(), garbage.getBytes(StandardCharsets.UTF_8));
        String id = java.util.UUID.randomUUID().toString();
        Statuses.send(probe, id, CommandState.FAILED, 4, null, "node node404 does not exist");

        // A status of a command the gateway never submitted (sent straight to Kafka) creates its row.
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then().statusCode(200)
                .body("state", equalTo("FAILED"), "sequence", equalTo(4)));
        ConsumerRecord<String, byte[]> dead = probe.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                && garbage.equals(TopicProbe.text(r)), WAIT);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-topic")).contains(Topics.COMMAND_STATUS);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-reason")).get().asString()
                .contains("ce_specversion");
    }

    @Test
    void health_metrics_and_openapi_are_served() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/nodes/{node}/cordon"));
        for (String path : new String[]{"/api/v1/nodes/{node}/cordon", "/api/v1/nodes/{node}/uncordon",
                "/api/v1/nodes/{node}/unfence", "/api/v1/failover/pause", "/api/v1/failover/resume",
                "/api/v1/clusters/{namespace}/{cluster}/backups"}) {
            String post = "paths.'" + path + "'.post";
            given().get("/q/openapi?format=json").then()
                    .body(post + ".parameters.findAll { it.in == 'header' }.name", hasItem("Idempotency-Key"))
                    .body(post + ".parameters.find { it.name == 'Idempotency-Key' }.schema.maxLength", equalTo(255))
                    .body(post + ".responses.keySet()", org.hamcrest.Matchers.hasItems("202", "400", "422", "503"))
                    .body(post + ".responses.'422'.content.keySet()", hasItem("application/problem+json"))
                    .body(post + ".responses.'503'.content.keySet()", hasItem("application/problem+json"));
        }
        given().get("/q/openapi?format=json").then()
                .body("paths.'/api/v1/nodes'.get.description", containsString("observedAt"))
                .body("paths.'/api/v1/incidents'.get.parameters.name", org.hamcrest.Matchers.hasItems("node", "state", "limit"))
                .body("paths.'/api/v1/incidents'.get.responses.keySet()", org.hamcrest.Matchers.hasItems("200", "400", "503"))
                .body("paths.'/api/v1/incidents/{id}'.get.responses.keySet()",
                        org.hamcrest.Matchers.hasItems("200", "404", "503"))
                .body("paths.'/api/v1/incidents/{id}'.get.responses.'503'.content.keySet()",
                        hasItem("application/problem+json"));
    }
}
