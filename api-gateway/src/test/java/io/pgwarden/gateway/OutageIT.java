package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Outages on the command path, for real: the broker is down (connection refused on the address the
 * gateway was given) until the first test starts it there, and the database is paused with SIGSTOP.
 */
@QuarkusTest
@WithTestResource(OutageResource.class)
@WithTestResource(SignedIn.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    DataSource dataSource;

    @Test
    @Order(1)
    void with_kafka_down_a_request_is_answered_202_stored_submitted_and_sent_when_kafka_returns() throws Exception {
        String id = given().contentType(ContentType.JSON).body("{\"reason\":\"while kafka is down\"}")
                .post("/api/v1/nodes/node-outage/cordon")
                .then().statusCode(202).body("state", equalTo("SUBMITTED"))
                .header("Location", containsString("/api/v1/commands/")).extract().path("id");

        // The relay has tried and failed (readiness degraded): the command waits in the outbox, not FAILED.
        await().atMost(WAIT).untilAsserted(() -> assertThat(readiness("outbox-relay")).isEqualTo("DOWN"));
        given().get("/api/v1/commands/" + id).then().statusCode(200)
                .body("state", equalTo("SUBMITTED"), "sequence", equalTo(0));
        assertThat(waitingInOutbox(id)).isEqualTo(1);
        assertThat(states()).doesNotContain("FAILED");

        String bootstrap = OutageResource.startKafka();
        try (TopicProbe probe = new TopicProbe(bootstrap, Topics.COMMANDS)) {
            ConsumerRecord<String, byte[]> command = probe.await(TopicTail.withId(id), WAIT);
            assertThat(command.key()).isEqualTo("node-outage");
            TopicProbe.assertConformsToContract(command);

            await().atMost(WAIT).untilAsserted(() -> assertThat(readiness("outbox-relay")).isEqualTo("UP"));
            assertThat(waitingInOutbox(id)).isZero();
            // Its real outcome still applies: nothing final was stored in between.
            Statuses.send(probe, id, CommandState.SUCCEEDED, 3, null, "cordoned node node-outage");
            await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then()
                    .body("state", equalTo("SUCCEEDED")));
        }
    }

    @Test
    @Order(2)
    void with_the_database_down_a_request_is_a_503_that_stored_nothing_and_a_status_waits() throws Exception {
        String bootstrap = OutageResource.startKafka();
        String node = "node-db-" + UUID.randomUUID().toString().substring(0, 8);
        String key = UUID.randomUUID().toString();
        String known = given().contentType(ContentType.JSON).post("/api/v1/nodes/" + node + "/cordon")
                .then().statusCode(202).extract().path("id");
        try (TopicProbe probe = new TopicProbe(bootstrap);
             TopicTail commands = new TopicTail(bootstrap, Topics.COMMANDS);
             TopicTail deadLetters = new TopicTail(bootstrap, Topics.DEAD_LETTER)) {
            OutageResource.pauseDatabase();
            try {
                given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                        .body("{\"reason\":\"while the database is down\"}")
                        .post("/api/v1/nodes/" + node + "/cordon")
                        .then().statusCode(503).contentType("application/problem+json").header("Retry-After", "5")
                        .body("status", equalTo(503), "detail", containsString("nothing was stored; retry"));

                // A valid status meets the outage: it waits (readiness says so), it is not dead-lettered.
                Statuses.send(probe, known, CommandState.RUNNING, 2, "cordon", null);
                await().atMost(WAIT).untilAsserted(() -> assertThat(readiness("command-status")).isEqualTo("DOWN"));
            } finally {
                OutageResource.resumeDatabase();
            }
            await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + known).then()
                    .body("state", equalTo("RUNNING"), "step", equalTo("cordon")));
            await().atMost(WAIT).untilAsserted(() -> assertThat(readiness("command-status")).isEqualTo("UP"));

            // Nothing of the 503'd attempt is stored (it never got as far as a commit) ...
            assertThat(commandsFor(node)).containsExactly(known);
            assertThat(keyStored(key)).isFalse();
            // ... so the retry with the same key makes the command, and it is on Kafka once.
            String retried = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                    .body("{\"reason\":\"while the database is down\"}")
                    .post("/api/v1/nodes/" + node + "/cordon").then().statusCode(202).extract().path("id");
            String marker = given().contentType(ContentType.JSON).post("/api/v1/nodes/" + node + "/cordon")
                    .then().statusCode(202).extract().path("id");
            assertThat(commands.until(TopicTail.withId(marker), WAIT).stream().filter(r -> node.equals(r.key()))
                    .map(TopicTail::id).toList()).containsExactly(retried, marker);

            // Nothing was dead-lettered for the waiting status: a bad record on its key is the first one there.
            String garbage = "{not a status " + UUID.randomUUID();
            probe.sendRaw(Topics.COMMAND_STATUS, known, new RecordHeaders(), garbage.getBytes(StandardCharsets.UTF_8));
            List<ConsumerRecord<String, byte[]>> dead = deadLetters.until(r -> garbage.equals(TopicProbe.text(r)), WAIT);
            assertThat(dead.stream().filter(r -> known.equals(r.key())).map(TopicProbe::text).toList())
                    .containsExactly(garbage);
        }
    }

    /** The status of one readiness check. */
    private static String readiness(String check) {
        JsonPath health = given().get("/q/health/ready").then().extract().jsonPath();
        return health.getString("checks.find { it.name == '" + check + "' }.status");
    }

    private int waitingInOutbox(String commandId) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM outbox WHERE headers ->> '" + CloudEventsKafka.H_ID + "' = ?")) {
            s.setString(1, commandId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<String> commandsFor(String node) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT command_id FROM command WHERE subject = ?")) {
            s.setString(1, node);
            try (ResultSet rs = s.executeQuery()) {
                List<String> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        }
    }

    private boolean keyStored(String key) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM idempotency_key WHERE idem_key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private List<String> states() throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT DISTINCT state FROM command");
             ResultSet rs = s.executeQuery()) {
            List<String> states = new java.util.ArrayList<>();
            while (rs.next()) {
                states.add(rs.getString(1));
            }
            return states;
        }
    }
}
