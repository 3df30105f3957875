package io.pgwarden.gateway;

import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Statuses apply in sequence order and never after a final state. Each "changes nothing" is decided by a
 * marker status sent after the one under test on the same partition (same key): once the marker's
 * command shows, the status before it was consumed.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class StatusOrderIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private TopicProbe probe;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    @Test
    void a_late_accepted_after_running_changes_nothing() {
        String id = given().contentType(ContentType.JSON).post("/api/v1/nodes/node-late-accepted/cordon")
                .then().statusCode(202).body("sequence", equalTo(0)).extract().path("id");
        Statuses.send(probe, id, CommandState.RUNNING, 2, "cordon", null);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then()
                .body("state", equalTo("RUNNING"), "sequence", equalTo(2)));
        CommandView running = view(id);

        Statuses.send(probe, id, CommandState.ACCEPTED, 1, null, null);
        markerBehind(id);

        assertThat(view(id)).usingRecursiveComparison().ignoringFields("observedAt").isEqualTo(running);
    }

    @Test
    void a_redelivered_running_changes_nothing() {
        String id = UUID.randomUUID().toString();
        Statuses.send(probe, id, CommandState.ACCEPTED, 1, null, null);
        Statuses.send(probe, id, CommandState.RUNNING, 2, "drain", null);
        Statuses.send(probe, id, CommandState.RUNNING, 3, "evict", null);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then()
                .body("state", equalTo("RUNNING"), "step", equalTo("evict"), "sequence", equalTo(3)));
        CommandView evicting = view(id);

        Statuses.send(probe, id, CommandState.RUNNING, 2, "drain", null);
        markerBehind(id);

        assertThat(view(id)).usingRecursiveComparison().ignoringFields("observedAt").isEqualTo(evicting);
    }

    @Test
    void a_final_state_is_never_overwritten_even_by_a_higher_sequence() {
        String id = UUID.randomUUID().toString();
        Statuses.send(probe, id, CommandState.SUCCEEDED, 3, null, "cordoned node node001");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + id).then()
                .body("state", equalTo("SUCCEEDED"), "sequence", equalTo(3)));
        CommandView succeeded = view(id);

        Statuses.send(probe, id, CommandState.FAILED, 4, null, "should not show");
        Statuses.send(probe, id, CommandState.RUNNING, 5, "again", null);
        markerBehind(id);

        assertThat(view(id)).usingRecursiveComparison().ignoringFields("observedAt").isEqualTo(succeeded);
    }

    /** Sends a status of a new command on key's partition and waits until it shows: all before it were read. */
    private void markerBehind(String key) {
        String marker = UUID.randomUUID().toString();
        Statuses.send(probe, marker, key, CommandState.ACCEPTED, 1, null, null);
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + marker).then().statusCode(200));
    }

    private static CommandView view(String id) {
        return given().get("/api/v1/commands/" + id).then().statusCode(200).extract().as(CommandView.class);
    }
}
