package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The backup reads, from the gateway's copy of backup-service's catalog or from backup-service (a stub answering as its
 * TakeBackupIT shows), and DELETE and verify as commands.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(FailoverStub.class)
@WithTestResource(SignedIn.class)
class BackupsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ID = "pg-a-20261127-101500";
    private static final String BACKUP = "{\"id\":\"" + ID + "\",\"namespace\":\"db1\",\"cluster\":\"pg-a\","
            + "\"method\":\"online\",\"driver\":\"csi\",\"phase\":\"completed\",\"stopLsn\":\"0/3000138\","
            + "\"snapshots\":[],\"verification\":\"never verified\"}";
    private static final String SCHEDULE = "{\"namespace\":\"db1\",\"cluster\":\"pg-a\",\"cron\":\"0 3 * * *\","
            + "\"zone\":\"UTC\",\"method\":\"online\",\"keepLast\":7,\"missedSlots\":\"run-once\","
            + "\"lastSlot\":{\"slot\":\"2026-11-27T03:00:00Z\",\"outcome\":\"run\",\"backupId\":\"" + ID + "\"},"
            + "\"nextSlot\":\"2026-11-28T03:00:00Z\"}";
    private TopicProbe probe;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS);
        FailoverStub.reset();
    }

    @AfterEach
    void tearDown() {
        FailoverStub.reset();
        probe.close();
    }

    @Test
    void a_cluster_s_backups_come_from_the_copy_a_page_beyond_it_and_one_backup_from_backup_service() {
        FailoverStub.answer("/backups", 200, "[" + BACKUP + "]");
        FailoverStub.answer("/backups/" + ID, 200, BACKUP);
        FailoverStub.answer("/schedules", 200, "[" + SCHEDULE + "]");
        await().atMost(WAIT).until(() -> FailoverStub.ASKED.contains("/backups?newestOfEach=100"));
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters/db1/pg-a/backups").then()
                .statusCode(200).body("items[0].id", equalTo(ID), "items[0].verification", equalTo("never verified"),
                        "nextCursor", nullValue(), "observedAt", notNullValue()));
        given().get("/api/v1/clusters/db1/pg-b/backups").then().statusCode(200).body("items", hasSize(0));
        assertThat(FailoverStub.ASKED).as("the first pages come from the copy")
                .noneMatch(asked -> asked.startsWith("/backups?namespace="));

        String older = "pg-a-20261126-101500";
        given().get("/api/v1/clusters/db1/pg-a/backups?limit=1&cursor=" + older).then().statusCode(200)
                .body("items[0].id", equalTo(ID), "nextCursor", nullValue());
        assertThat(FailoverStub.ASKED).as("a cursor the copy lacks is asked of backup-service")
                .contains("/backups?namespace=db1&cluster=pg-a&limit=2&before=" + older);
        given().get("/api/v1/clusters/db1/pg-a/backups?limit=0").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/api/v1/clusters/db1/pg-a/backups?cursor=not%20an%20id").then().statusCode(400)
                .contentType("application/problem+json");

        given().get("/api/v1/backups/" + ID).then().statusCode(200).body("stopLsn", equalTo("0/3000138"));
        assertThat(FailoverStub.ASKED).as("one backup is never a refresh behind").contains("/backups/" + ID);

        given().get("/api/v1/backup-schedules").then().statusCode(200)
                .body("items.cluster", contains("pg-a"), "items[0].nextSlot", equalTo("2026-11-28T03:00:00Z"),
                        "observedAt", notNullValue());
        given().get("/api/v1/clusters/db1/pg-a/backup-schedule").then().statusCode(200)
                .body("cron", equalTo("0 3 * * *"), "lastSlot.backupId", equalTo(ID));
        given().get("/api/v1/clusters/db1/pg-b/backup-schedule").then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo("no backup schedule for db1/pg-b"));
        given().get("/api/v1/backups/pg-a-nope").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no backup pg-a-nope"));

        FailoverStub.answer("/backups", 400, "{\"status\":400,\"detail\":\"before=" + older + " is not a backup"
                + " of db1/pg-a\"}");
        given().get("/api/v1/clusters/db1/pg-a/backups?cursor=" + older).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("not a cursor of this list"));
    }

    @Test
    void delete_and_verify_resolve_the_backup_s_database_and_submit_their_commands() throws Exception {
        FailoverStub.answer("/backups/" + ID, 200, BACKUP);
        String id = given().delete("/api/v1/backups/" + ID + "?evenTheLastGood=true").then().statusCode(202)
                .header("Location", containsString("/api/v1/commands/")).body("subject", equalTo("db1/pg-a"))
                .extract().path("id");
        ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                .filter(id::equals).isPresent(), WAIT);
        assertThat(command.key()).isEqualTo("db1/pg-a");
        TopicProbe.assertConformsToContract(command);
        assertThat(Json.read(command.value(), DeleteBackup.class)).isEqualTo(new DeleteBackup("db1", "pg-a", ID, true,
                null));

        given().delete("/api/v1/backups/pg-a-nope").then().statusCode(404);

        String drill = given().contentType("application/json").body("{\"reason\":\"monthly drill\"}")
                .post("/api/v1/backups/" + ID + "/verify").then().statusCode(202).body("subject", equalTo("db1/pg-a"))
                .extract().path("id");
        assertThat(Json.read(probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id").filter(drill::equals)
                .isPresent(), WAIT).value(), VerifyBackup.class))
                .isEqualTo(new VerifyBackup("db1", "pg-a", ID, "monthly drill"));
        given().contentType("application/json").post("/api/v1/backups/pg-a-nope/verify").then().statusCode(404);
        FailoverStub.shutDown();
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/clusters/db1/pg-a/backups").then()
                .statusCode(503).body("detail", containsString("backup-service at"),
                        "detail", containsString("; the gateway has no backup catalog since")));
    }
}
