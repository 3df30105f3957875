package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.UndoRestore;
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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The restore routes: commands on a real broker, an undo keyed by the database backup-service (a stub) names. */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(BackupStub.class)
@WithTestResource(SignedIn.class)
class RestoresIT {
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
    void a_restore_and_its_undo_become_commands_keyed_by_the_database() throws Exception {
        String db = "pg-" + run;
        String restore = given().contentType(ContentType.JSON).body("{\"backupId\":\"" + db + "-20261127-100000\"}")
                .post("/api/v1/clusters/db1/" + db + "/restore").then().statusCode(202)
                .header("Location", containsString("/api/v1/commands/")).extract().path("id");
        assertThat(sent(restore, db, RestoreBackup.class)).isEqualTo(new RestoreBackup("db1", db,
                db + "-20261127-100000", null));

        String restoreId = "r-" + run;
        // The whole answer backup-service gives (RestoresResource there), fields the gateway does not need included.
        FailoverStub.answer("/restores/" + restoreId, 200, "{\"id\":\"" + restoreId + "\",\"backupId\":\"b\","
                + "\"namespace\":\"db1\",\"cluster\":\"" + db + "\",\"phase\":\"completed\","
                + "\"startedAt\":\"2026-11-27T03:20:59.211747Z\",\"completedAt\":\"2026-11-27T03:21:26.698783Z\","
                + "\"retainedVolumes\":{\"data-" + db + "-0\":\"pvc-1\"},\"error\":null,\"undoneAt\":null}");
        String undo = given().contentType(ContentType.JSON).body("{\"reason\":\"wrong backup\"}")
                .post("/api/v1/restores/" + restoreId + "/undo").then().statusCode(202).extract().path("id");
        assertThat(sent(undo, db, UndoRestore.class)).isEqualTo(new UndoRestore("db1", db, restoreId, "wrong backup"));
    }

    @Test
    void bad_requests_answer_problems() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/clusters/db1/pg/restore").then()
                .statusCode(400);
        FailoverStub.answer("/restores/nope", 404, "{\"title\":\"Not Found\",\"status\":404}");
        given().contentType(ContentType.JSON).post("/api/v1/restores/nope/undo").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no restore nope: the id is the"
                        + " restore command's id"));
        FailoverStub.shutDown();
        given().contentType(ContentType.JSON).post("/api/v1/restores/some/undo").then().statusCode(503)
                .body("detail", containsString("backup-service at"));
    }

    private <T> T sent(String id, String db, Class<T> type) throws Exception {
        ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(id::equals).isPresent(), WAIT);
        assertThat(command.key()).isEqualTo("db1/" + db);
        TopicProbe.assertConformsToContract(command);
        return Json.read(command.value(), type);
    }
}
