package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.pgwarden.e2e.BackupsE2E.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backup schedule every 2 s through the gateway, with two replicas of backup-service and the first killed meanwhile:
 * one TakeBackup per slot, each backup named after its slot, and retention (keepLast 2) deleting the oldest backups
 * and their VolumeSnapshots.
 */
@ExtendWith(SystemExtension.class)
class BackupSchedulesE2E {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    @Test
    void a_schedule_every_2_s_makes_one_backup_per_slot_across_a_restart_with_two_replicas_and_retention_keeps_the_last_2(
            RunningSystem system) throws Exception {
        String db = "pg-bk-sched";
        BackupsE2E.deploy(system, db, false);
        ServiceProcess replica = system.stack().startReplica(BackupsE2E.SERVICE);
        String schedule = BackupsE2E.path(db, "backup-schedule");
        try (TopicTail commands = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.COMMANDS)) {
            JsonNode set = BackupsE2E.finished(system, system.put(schedule, "{\"cron\":\"0/2 * * * * ?\","
                    + "\"method\":\"crash-consistent\",\"keepLast\":2}"));
            assertThat(set.get("state").asText()).as(set.toString()).isEqualTo("SUCCEEDED");

            await().atMost(WAIT).until(() -> backups(system, db).size() >= 3);
            Instant killed = Instant.now();
            BackupsE2E.kill(system);
            // A killed member keeps its partitions until its Kafka session times out (10 s in the e2e run): the slots' commands
            // wait on the topic meanwhile, then run late, one at a time, with retention's deletions between them.
            await().atMost(WAIT.plusMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<String, String> now = backups(system, db);
                return phases(now, "completed").stream().filter(id -> slotOf(db, id).isAfter(killed)).count() >= 3
                        && phases(now, "deleted").size() >= 3;
            });
            System.out.printf("schedule of %s: 3 backups of slots after the kill and 3 deleted by retention %d s after"
                    + " the kill%n", db, Duration.between(killed, Instant.now()).toSeconds());

            JsonNode deleted = BackupsE2E.finished(system, system.delete(schedule));
            assertThat(deleted.get("state").asText()).as(deleted.toString()).isEqualTo("SUCCEEDED");
            // The slots asked for before the deletion still run.
            await().atMost(WAIT).during(Duration.ofSeconds(3))
                    .until(() -> backups(system, db).values().stream().noneMatch("running"::equals));
            commands.readFor(Duration.ofSeconds(1));

            // Slot → the distinct TakeBackup commands asked for it (an outbox may deliver one command twice).
            Map<Instant, Set<String>> perSlot = new TreeMap<>();
            for (ConsumerRecord<String, byte[]> r : commands.matching(TopicProbe.ofType(MessageType.TAKE_BACKUP))) {
                TakeBackup take = read(r);
                if (take.cluster().equals(db) && take.slot() != null) {
                    perSlot.computeIfAbsent(take.slot(), s -> new TreeSet<>()).add(TopicTail.id(r));
                }
            }
            Map<String, String> backups = backups(system, db);
            System.out.printf("schedule of %s: %d slots asked for %s; backups %s%n", db, perSlot.size(),
                    perSlot.keySet(), backups);
            assertThat(perSlot).as("slots asked for").hasSizeGreaterThanOrEqualTo(8);
            assertThat(perSlot.values()).as("one TakeBackup per slot").allMatch(ids -> ids.size() == 1);
            assertThat(perSlot.keySet()).allMatch(slot -> slot.getEpochSecond() % 2 == 0 && slot.getNano() == 0);
            Set<String> slotIds = perSlot.keySet().stream().map(s -> db + "-" + ID_TIME.format(s))
                    .collect(Collectors.toSet());
            assertThat(backups.keySet()).as("each backup named after its slot").isSubsetOf(slotIds);

            assertThat(backups.values()).as("every backup ended").doesNotContain("running");
            List<String> kept = phases(backups, "completed");
            List<String> gone = phases(backups, "deleted");
            assertThat(kept).as("kept").isNotEmpty();
            assertThat(gone).as("deleted by retention").hasSizeGreaterThanOrEqualTo(3);
            // Retention (keepLast 2) deletes beyond the newest two; the backlog ran in slot order.
            assertThat(kept.get(0)).as("the oldest are deleted, the newest kept").isGreaterThan(gone.get(gone.size() - 1));
            for (String id : gone) {
                assertThat(snapshots(system, id)).as("VolumeSnapshots of deleted backup " + id).isZero();
            }
            assertThat(snapshots(system, kept.get(kept.size() - 1))).as("the newest backup's VolumeSnapshot").isOne();
        } finally {
            system.delete(schedule);
            ProcessHandle.of(replica.pid()).ifPresent(ProcessHandle::destroyForcibly);
            BackupsE2E.drop(system, db);
        }
    }

    /** Backup id → phase, of every backup of the database (deleted ones too). */
    private static Map<String, String> backups(RunningSystem system, String db) throws IOException {
        JsonNode list = Json.MAPPER.readTree(system.get(BackupsE2E.backups(db)).body());
        Map<String, String> phases = new TreeMap<>();
        for (JsonNode b : list.isArray() ? list : list.path("items")) {
            phases.put(b.get("id").asText(), b.get("phase").asText());
        }
        return phases;
    }

    private static int snapshots(RunningSystem system, String backupId) {
        return system.stack().sandbox().client().genericKubernetesResources("snapshot.storage.k8s.io/v1",
                "VolumeSnapshot").inNamespace(NS).withLabel("pgwarden.io/backup", backupId).list().getItems().size();
    }

    private static List<String> phases(Map<String, String> backups, String phase) {
        return backups.entrySet().stream().filter(e -> e.getValue().equals(phase)).map(Map.Entry::getKey).sorted()
                .toList();
    }

    private static Instant slotOf(String db, String id) {
        return ID_TIME.parse(id.substring(db.length() + 1), Instant::from);
    }

    private static TakeBackup read(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), TakeBackup.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
