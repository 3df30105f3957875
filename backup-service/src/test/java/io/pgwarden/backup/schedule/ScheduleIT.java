package io.pgwarden.backup.schedule;

import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Schedules set by command ask for one backup per slot, and retention asks to delete what expired. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class ScheduleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "default";
    private static final String DB = "pg-sched";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    DataSource dataSource;

    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS, Topics.COMMAND_STATUS);
        for (String name : List.of(DB, "pg-retained", "pg-plain")) {
            server.getClient().apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS)
                    .withLabels(name.equals("pg-plain") ? Map.of() : Map.of(Names.MANAGED_LABEL, "true")).endMetadata()
                    .withNewSpec().withReplicas(1).endSpec().build()).createOr(r -> r.update());
        }
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
    }

    @Test
    void a_schedule_asks_for_one_backup_per_slot_until_it_is_deleted() {
        MessageMetadata set = probe.send("/test", new SetBackupSchedule(NS, DB, "0/2 * * * * ?", null,
                BackupMethod.CRASH_CONSISTENT, null, 3, null, false, null, null, "every two seconds"), NS + "/" + DB);
        CommandStatusChanged stored = tail.awaitFinal(set.id(), WAIT);
        assertThat(stored.state()).as(stored.reason()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(stored.reason()).isEqualTo("backup schedule of default/pg-sched set: '0/2 * * * * ?' (UTC),"
                + " crash-consistent, keep the last 3, missed slots: run once");

        int[] seen = {0};
        tail.await(r -> takeBackups(List.of(r)).size() == 1 && ++seen[0] == 3, WAIT);
        List<TakeBackup> asked = takeBackups(tail.matching(r -> true));
        assertThat(asked).extracting(TakeBackup::slot).doesNotHaveDuplicates()
                .allSatisfy(slot -> assertThat(slot.getEpochSecond() % 2).isZero());
        assertThat(asked).allSatisfy(b -> {
            assertThat(b.method()).isEqualTo(BackupMethod.CRASH_CONSISTENT);
            assertThat(b.reason()).startsWith("scheduled '0/2 * * * * ?' (UTC), slot ");
        });

        // The read the gateway copies: as set, its latest slot as recorded, and the next.
        JsonPath schedule = given().get("/schedules").then().statusCode(200).extract().jsonPath();
        String mine = "find { it.cluster == '" + DB + "' }";
        assertThat(schedule.getString(mine + ".cron")).isEqualTo("0/2 * * * * ?");
        assertThat(schedule.getString(mine + ".zone")).isEqualTo("UTC");
        assertThat(schedule.getString(mine + ".method")).isEqualTo("crash-consistent");
        assertThat(schedule.getInt(mine + ".keepLast")).isEqualTo(3);
        assertThat(schedule.getString(mine + ".missedSlots")).isEqualTo("run-once");
        assertThat(schedule.getString(mine + ".lastSlot.outcome")).startsWith("run");
        Instant lastSlot = Instant.parse(schedule.getString(mine + ".lastSlot.slot"));
        assertThat(lastSlot).as("the slots keep coming: the latest at least the latest seen")
                .isAfterOrEqualTo(asked.stream().map(TakeBackup::slot).max(Instant::compareTo).orElseThrow());
        Instant next = Instant.parse(schedule.getString(mine + ".nextSlot"));
        assertThat(next.getEpochSecond() % 2).isZero();
        assertThat(next).isAfter(lastSlot);

        MessageMetadata delete = probe.send("/test", new DeleteBackupSchedule(NS, DB, null), NS + "/" + DB);
        assertThat(tail.awaitFinal(delete.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(given().get("/schedules").then().statusCode(200).extract().jsonPath().getList("cluster"))
                .doesNotContain(DB);
        int before = takeBackups(tail.readFor(Duration.ofSeconds(1))).size();
        assertThat(takeBackups(tail.readFor(Duration.ofSeconds(5)))).as("no slot after the schedule was deleted")
                .hasSize(before);
    }

    @Test
    void what_cannot_be_a_schedule_is_rejected_saying_what_to_change() {
        assertRejected(new SetBackupSchedule(NS, DB, "every night", null, null, null, 3, null, false, null, null,
                null), "invalid cron expression 'every night': 2 fields");
        assertRejected(new SetBackupSchedule(NS, DB, "0 3 * * *", "Mars/Olympus", null, null, 3, null, false, null,
                null, null), "unknown time zone 'Mars/Olympus'");
        assertRejected(new SetBackupSchedule(NS, DB, "0 3 * * *", null, null, null, 0, null, false, null, null,
                null), "retention keepLast 0 would keep nothing: at least 1");
        assertRejected(new SetBackupSchedule(NS, DB, "0 3 * * *", null, null, null, null, "a week", false, null,
                null, null), "retention maxAge 'a week' is not an ISO-8601 duration");
        assertRejected(new SetBackupSchedule(NS, "pg-plain", "0 3 * * *", null, null, null, 3, null, false, null,
                null, null), "StatefulSet default/pg-plain is not managed by pgwarden");
        assertRejected(new DeleteBackupSchedule(NS, "pg-plain", null), "default/pg-plain has no backup schedule");
    }

    @Test
    void retention_asks_once_to_delete_the_scheduled_backups_beyond_the_last_n_but_not_the_last_good_one()
            throws Exception {
        String db = "pg-retained";
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("DELETE FROM backup WHERE cluster = '" + db + "'");
            for (int day = 1; day <= 4; day++) {
                insertCompleted(c, db + "-old-" + day, db, now.minus(Duration.ofDays(10 - day)), "0 3 * * *");
            }
            insertCompleted(c, db + "-asked", db, now.minus(Duration.ofDays(1)), null);
        }
        MessageMetadata set = probe.send("/test", new SetBackupSchedule(NS, db, "0 3 1 1 *", null, null, null, 2,
                null, false, null, null, null), NS + "/" + db);
        assertThat(tail.awaitFinal(set.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);

        tail.await(r -> deletes(List.of(r)).size() == 1, WAIT);
        List<DeleteBackup> deletes = deletes(tail.readFor(Duration.ofSeconds(4)));
        assertThat(deletes).extracting(DeleteBackup::backupId).containsExactlyInAnyOrder(db + "-old-1", db + "-old-2");
        assertThat(deletes).allSatisfy(d -> assertThat(d.reason())
                .isEqualTo("retention of the schedule: beyond the last 2 backups"));

        MessageMetadata delete = probe.send("/test", new DeleteBackupSchedule(NS, db, null), NS + "/" + db);
        assertThat(tail.awaitFinal(delete.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
    }

    private void assertRejected(Object command, String reason) {
        MessageMetadata sent = probe.send("/test", command, NS + "/x");
        CommandStatusChanged status = tail.awaitFinal(sent.id(), WAIT);
        assertThat(status.state()).as(status.reason()).isEqualTo(CommandState.REJECTED);
        assertThat(status.reason()).contains(reason);
    }

    private static void insertCompleted(Connection c, String id, String cluster, Instant completed, String schedule)
            throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO backup (id, namespace, cluster, method, driver,"
                + " label, phase, operation_id, schedule, started_at, completed_at) VALUES (?, 'default', ?,"
                + " 'crash-consistent', 'csi', ?, 'completed', ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, cluster);
            s.setString(3, id);
            s.setString(4, "op-" + id);
            s.setString(5, schedule);
            s.setTimestamp(6, Timestamp.from(completed.minusSeconds(5)));
            s.setTimestamp(7, Timestamp.from(completed));
            s.executeUpdate();
        }
    }

    private static List<TakeBackup> takeBackups(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(TopicProbe.ofType(MessageType.TAKE_BACKUP))
                .map(r -> read(r, TakeBackup.class)).filter(b -> b.cluster().equals(DB)).toList();
    }

    private static List<DeleteBackup> deletes(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(TopicProbe.ofType(MessageType.DELETE_BACKUP))
                .map(r -> read(r, DeleteBackup.class)).toList();
    }

    private static <T> T read(ConsumerRecord<String, byte[]> r, Class<T> type) {
        try {
            return Json.read(r.value(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
