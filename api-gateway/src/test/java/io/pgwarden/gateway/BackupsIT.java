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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The backup reads forwarded to backup-service (a stub answering as its TakeBackupIT shows), and DELETE as a command. */
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
    void a_cluster_s_backups_and_one_backup_are_read_from_backup_service() {
        FailoverStub.answer("/backups", 200, "[" + BACKUP + "]");
        FailoverStub.answer("/backups/" + ID, 200, BACKUP);
        given().get("/api/v1/clusters/db1/pg-a/backups").then().statusCode(200)
                .body("[0].id", equalTo(ID), "[0].verification", equalTo("never verified"));
        given().get("/api/v1/backups/" + ID).then().statusCode(200).body("stopLsn", equalTo("0/3000138"));
        given().get("/api/v1/backups/pg-a-nope").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no backup pg-a-nope"));
        assertThat(FailoverStub.ASKED).contains("/backups?namespace=db1&cluster=pg-a", "/backups/" + ID);
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
        given().get("/api/v1/clusters/db1/pg-a/backups").then().statusCode(503)
                .body("detail", containsString("backup-service at"));
    }
}
