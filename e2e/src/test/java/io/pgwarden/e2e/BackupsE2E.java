package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.api.ApiRequests;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's backups as an operator uses them, through the gateway's REST API on the packaged system: an online
 * backup under writes restored to exactly the rows before its start LSN and none after its stop LSN (with the WAL on
 * the data claim and on a claim of its own), crash-consistent and cold backups restored to exactly their rows, restore
 * drills of a good and a corrupted backup, backup-service killed mid-backup and mid-restore, and the lock rules
 * between restores, planned moves and planned outages. Schedules are {@link BackupSchedulesE2E}'s.
 */
@ExtendWith(SystemExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupsE2E {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String NS = NodeFailoverE2E.NS_DEFAULT;
    static final String SERVICE = "backup-service";
    private static final Pattern BACKUP_ID = Pattern.compile("backup (\\S+) of ");

    @Test
    @Order(1)
    void an_online_backup_under_writes_restores_every_row_from_before_its_start_and_none_from_after_its_stop(
            RunningSystem system) throws Exception {
        onlineBackupUnderWritesRestores(system, "pg-bk-online", false);
    }

    @Test
    @Order(2)
    void the_same_with_the_wal_on_a_claim_of_its_own(RunningSystem system) throws Exception {
        onlineBackupUnderWritesRestores(system, "pg-bk-walclaim", true);
    }

    private void onlineBackupUnderWritesRestores(RunningSystem system, String db, boolean walClaim) throws Exception {
        deploy(system, db, walClaim);
        try {
            sql(system, db, "CREATE TABLE t (i bigint PRIMARY KEY)");
            String id;
            JsonNode backup;
            List<LsnWriter.Row> rows;
            try (LsnWriter writer = new LsnWriter(NodeFailoverE2E.jdbcUrl(system.stack().sandbox(), db))) {
                await().atMost(WAIT).until(() -> writer.rows().size() >= 20);
                JsonNode taken = finished(system, system.post(backups(db), "{\"method\":\"online\"}"));
                assertThat(taken.get("state").asText()).as(taken.toString()).isEqualTo("SUCCEEDED");
                id = backupId(taken);
                assertThat(taken.get("reason").asText()).contains("(online, csi) completed in").contains("stop LSN");
                backup = backup(system, id);
                assertThat(backup.get("phase").asText()).isEqualTo("completed");
                assertThat(backup.get("snapshots")).hasSize(walClaim ? 3 : 2); // data (and wal) + the WAL tail
                long stopLsn = lsn(backup.get("stopLsn").asText());
                await().atMost(WAIT).until(() -> writer.rows().stream().filter(r -> r.before() > stopLsn).count() >= 20);
                rows = writer.stop();
            }
            long startLsn = lsn(backup.get("startLsn").asText());
            long stopLsn = lsn(backup.get("stopLsn").asText());
            // A row's commit record lies between the WAL position read in its transaction and the one read after it.
            List<Long> beforeStart = rows.stream().filter(r -> r.after() <= startLsn).map(LsnWriter.Row::i).toList();
            List<Long> afterStop = rows.stream().filter(r -> r.before() > stopLsn).map(LsnWriter.Row::i).toList();
            assertThat(beforeStart).as("rows committed before pg_backup_start's redo LSN").isNotEmpty();
            assertThat(afterStop).as("rows committed after pg_backup_stop's LSN").isNotEmpty();

            JsonNode restored = restore(system, db, id);
            assertThat(restored.get("state").asText()).as(restored.toString()).isEqualTo("SUCCEEDED");
            assertThat(restored.get("reason").asText()).startsWith("restored " + NS + "/" + db + " from backup " + id);
            List<Long> present = longs(system, db, "SELECT i FROM t");
            assertThat(present).as("every row committed before the backup's start").containsAll(beforeStart);
            assertThat(present).as("no row committed after the backup's stop").doesNotContainAnyElementsOf(afterStop);
            sql(system, db, "INSERT INTO t VALUES (-1)");
            assertThat(podLog(system, db)).contains("starting backup recovery with redo LSN");
            System.out.printf("online backup %s of %s (wal claim %s): %d rows before start LSN, %d after stop LSN;"
                    + " restored %d rows; %s%n", id, db, walClaim, beforeStart.size(), afterStop.size(),
                    present.size(), restored.get("reason").asText());
        } finally {
            drop(system, db);
        }
    }

    @Test
    @Order(3)
    void crash_consistent_and_cold_backups_restore_exactly_their_rows(RunningSystem system) throws Exception {
        String db = "pg-bk-still";
        deploy(system, db, false);
        try {
            sql(system, db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 100)");
            String crash = takeBackup(system, db, "crash-consistent");
            sql(system, db, "INSERT INTO t SELECT generate_series(101, 150)");
            String cold = takeBackup(system, db, "cold");
            sql(system, db, "INSERT INTO t SELECT generate_series(151, 200)");

            JsonNode restored = restore(system, db, crash);
            assertThat(restored.get("state").asText()).as(restored.toString()).isEqualTo("SUCCEEDED");
            assertThat(longs(system, db, "SELECT count(*) FROM t")).containsExactly(100L);
            assertThat(longs(system, db, "SELECT max(i) FROM t")).containsExactly(100L);

            restored = restore(system, db, cold);
            assertThat(restored.get("state").asText()).as(restored.toString()).isEqualTo("SUCCEEDED");
            assertThat(longs(system, db, "SELECT count(*) FROM t")).containsExactly(150L);
            assertThat(longs(system, db, "SELECT max(i) FROM t")).containsExactly(150L);
            sql(system, db, "INSERT INTO t VALUES (-1)");
        } finally {
            drop(system, db);
        }
    }

    @Test
    @Order(4)
    void a_drill_verifies_a_good_backup_and_fails_a_corrupted_one(RunningSystem system) throws Exception {
        String db = "pg-bk-drill";
        deploy(system, db, false);
        try {
            sql(system, db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            String good = takeBackup(system, db, "online");
            String bad = takeBackup(system, db, "crash-consistent");
            assertThat(backup(system, good).get("verification").asText()).isEqualTo("never verified");

            JsonNode drill = finished(system, system.post("/api/v1/backups/" + good + "/verify", "{}"));
            assertThat(drill.get("state").asText()).as(drill.toString()).isEqualTo("SUCCEEDED");
            assertThat(drill.get("reason").asText()).startsWith("backup " + good + " of " + NS + "/" + db + " verified");
            JsonNode verified = backup(system, good);
            assertThat(verified.get("verification").asText()).as(verified.toString()).startsWith("verified at ");
            assertThat(verified.get("drill").get("restoreMillis").asLong()).isPositive();

            String snapshot = backup(system, bad).get("snapshots").get(0).get("snapshot").asText();
            system.stack().sandbox().faults().corruptSnapshot(NS, snapshot);
            drill = finished(system, system.post("/api/v1/backups/" + bad + "/verify", "{}"));
            assertThat(drill.get("state").asText()).as(drill.toString()).isEqualTo("FAILED");
            assertThat(drill.get("reason").asText()).startsWith("backup " + bad + " of " + NS + "/" + db
                    + " failed its drill: PostgreSQL did not start on the restored data");
            JsonNode failed = backup(system, bad);
            assertThat(failed.get("verification").asText()).as(failed.toString()).startsWith("failed");
            assertThat(failed.get("drill").get("error").asText()).startsWith("PostgreSQL did not start");
            assertThat(longs(system, db, "SELECT count(*) FROM t")).as("a drill changes nothing").containsExactly(10L);
        } finally {
            drop(system, db);
        }
    }

    @Test
    @Order(5)
    void backup_service_killed_mid_backup_fails_it_deletes_its_snapshots_and_leaves_no_backup_session_open(
            RunningSystem system) throws Exception {
        String db = "pg-bk-killed";
        deploy(system, db, false);
        ApiRequests api = system.stack().sandbox().apiRequests();
        try {
            sql(system, db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            int writesBefore = api.writes().size();
            // The data snapshot's creation is applied but answered late: backup-service is between pg_backup_start
            // and pg_backup_stop, waiting for its snapshot, when it is killed.
            api.answerSlowly("POST", ".*/namespaces/" + NS + "/volumesnapshots", Duration.ofSeconds(60), 1);
            HttpResponse<String> submitted = system.post(backups(db), "{\"method\":\"online\"}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            await().atMost(WAIT).until(() -> api.writes().subList(writesBefore, api.writes().size()).stream()
                    .anyMatch(w -> w.method().equals("POST") && w.path().endsWith("/volumesnapshots")));
            assertThat(backupSessions(system, db)).as("the open backup session, before the kill").isEqualTo(1);

            kill(system);
            JsonNode failed = finished(system, submitted);
            assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("FAILED");
            assertThat(failed.get("reason").asText()).contains("the backup session was lost");
            String id = backupId(failed);
            assertThat(backup(system, id).get("phase").asText()).isEqualTo("failed");
            KubernetesClient client = system.stack().sandbox().client();
            await().atMost(WAIT).until(() -> client.genericKubernetesResources("snapshot.storage.k8s.io/v1",
                    "VolumeSnapshot").inNamespace(NS).withLabel("pgwarden.io/backup", id).list().getItems().isEmpty());
            assertThat(backupSessions(system, db)).as("backup sessions after the kill").isZero();
            // PostgreSQL ended the backup with its session: a new one starts and completes.
            takeBackup(system, db, "online");
        } finally {
            drop(system, db);
        }
    }

    @Test
    @Order(6)
    void lock_rules_a_move_during_a_restore_and_a_backup_during_a_planned_outage_are_rejected(RunningSystem system)
            throws Exception {
        String db = "pg-bk-locks";
        deploy(system, db, false);
        try {
            sql(system, db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            String id = takeBackup(system, db, "crash-consistent");
            HttpResponse<String> restoring = system.post(path(db, "restore"), "{\"backupId\":\"" + id + "\"}");
            assertThat(restoring.statusCode()).as(restoring.body()).isEqualTo(202);
            String commandPath = commandPath(restoring);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> command(system, commandPath).get("state").asText().equals("RUNNING"));
            JsonNode move = finished(system, system.post(path(db, "failover"), "{\"reason\":\"during a restore\"}"));
            assertThat(move.get("state").asText()).as(move.toString()).isEqualTo("REJECTED");
            assertThat(move.get("reason").asText()).startsWith("database " + NS + "/" + db + " is busy with"
                    + " RestoreBackup");
            JsonNode restored = finished(system, restoring);
            assertThat(restored.get("state").asText()).as(restored.toString()).isEqualTo("SUCCEEDED");

            JsonNode stopped = finished(system, system.post(path(db, "stop"), "{\"reason\":\"maintenance\"}"));
            assertThat(stopped.get("state").asText()).as(stopped.toString()).isEqualTo("SUCCEEDED");
            for (String method : List.of("online", "cold")) {
                JsonNode refused = finished(system, system.post(backups(db), "{\"method\":\"" + method + "\"}"));
                assertThat(refused.get("state").asText()).as(refused.toString()).isEqualTo("REJECTED");
                assertThat(refused.get("reason").asText()).isEqualTo(NS + "/" + db + " has replicas 0, not 1:"
                        + " pgwarden backs up only a running single-primary StatefulSet (start it first)");
            }
            JsonNode started = finished(system, system.post(path(db, "start"), "{}"));
            assertThat(started.get("state").asText()).as(started.toString()).isEqualTo("SUCCEEDED");
            assertThat(longs(system, db, "SELECT count(*) FROM t")).containsExactly(10L);
        } finally {
            drop(system, db);
        }
    }

    @Test
    @Order(7)
    void backup_service_killed_mid_restore_finishes_or_puts_it_back_and_the_database_runs(RunningSystem system)
            throws Exception {
        String db = "pg-bk-restore-killed";
        deploy(system, db, false);
        try {
            sql(system, db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 100)");
            String id = takeBackup(system, db, "online");
            sql(system, db, "INSERT INTO t SELECT generate_series(101, 150)");
            HttpResponse<String> restoring = system.post(path(db, "restore"), "{\"backupId\":\"" + id + "\"}");
            assertThat(restoring.statusCode()).as(restoring.body()).isEqualTo(202);
            String commandPath = commandPath(restoring);
            // Past the stop: the claims are being replaced or the restored data prepared.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                JsonNode c = command(system, commandPath);
                return c.path("step").asText().matches("(retaining|replacing|writing backup_label).*");
            });
            String step = command(system, commandPath).path("step").asText();
            kill(system);

            JsonNode done = finished(system, restoring);
            System.out.printf("restore killed at step '%s': %s %s%n", step, done.get("state").asText(),
                    done.get("reason").asText());
            assertThat(done.get("state").asText()).as(done.toString()).isIn("SUCCEEDED", "FAILED");
            long expected = done.get("state").asText().equals("SUCCEEDED") ? 100L : 150L;
            if (expected == 150L) {
                assertThat(done.get("reason").asText()).as("a failed restore is put back").contains("put");
            }
            await().atMost(WAIT).until(() -> NodeFailoverE2E.podReady(system.stack().sandbox().client(), db + "-0"));
            assertThat(longs(system, db, "SELECT count(*) FROM t")).containsExactly(expected);
            sql(system, db, "INSERT INTO t VALUES (-1)");
        } finally {
            drop(system, db);
        }
    }

    // ---- requests and answers ----

    static String path(String db, String operation) {
        return "/api/v1/clusters/" + NS + "/" + db + "/" + operation;
    }

    static String backups(String db) {
        return path(db, "backups");
    }

    static JsonNode finished(RunningSystem system, HttpResponse<String> submitted) {
        return CordonThroughTheGatewayE2E.finished(system, submitted);
    }

    static String commandPath(HttpResponse<String> submitted) {
        String location = submitted.headers().firstValue("Location").orElseThrow();
        return location.substring(location.indexOf("/api/"));
    }

    static JsonNode command(RunningSystem system, String commandPath) throws Exception {
        return Json.MAPPER.readTree(system.get(commandPath).body());
    }

    /** Takes a backup and returns its id; a second backup of one database within a second is refused, so it waits. */
    static String takeBackup(RunningSystem system, String db, String method) throws Exception {
        JsonNode[] taken = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            taken[0] = finished(system, system.post(backups(db), "{\"method\":\"" + method + "\"}"));
            return !taken[0].get("reason").asText().contains("exists already (one per second)");
        });
        assertThat(taken[0].get("state").asText()).as(taken[0].toString()).isEqualTo("SUCCEEDED");
        return backupId(taken[0]);
    }

    static String backupId(JsonNode command) {
        Matcher m = BACKUP_ID.matcher(command.get("reason").asText());
        assertThat(m.find()).as(command.toString()).isTrue();
        return m.group(1);
    }

    static JsonNode backup(RunningSystem system, String id) throws Exception {
        HttpResponse<String> response = system.get("/api/v1/backups/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    static JsonNode restore(RunningSystem system, String db, String backupId) {
        return finished(system, system.post(path(db, "restore"), "{\"backupId\":\"" + backupId
                + "\",\"reason\":\"e2e\"}"));
    }

    /** Kills backup-service with SIGKILL and waits until the launcher started it again. */
    static void kill(RunningSystem system) {
        ServiceProcess killed = system.stack().services().get(SERVICE);
        ProcessHandle.of(killed.pid()).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> system.stack().services().get(SERVICE).pid() != killed.pid());
    }

    // ---- the database ----

    static void deploy(RunningSystem system, String db, boolean walClaim) {
        KubernetesClient client = system.stack().sandbox().client();
        if (walClaim) {
            DemoDatabase.deployWithWalClaim(client, NS, db);
        } else {
            DemoDatabase.deploy(client, NS, db);
        }
        await().atMost(WAIT).until(() -> NodeFailoverE2E.podReady(client, db + "-0"));
    }

    static void drop(RunningSystem system, String db) {
        PlannedOperationsE2E.drop(system, db);
    }

    static Connection connect(RunningSystem system, String db) {
        Connection[] connection = new Connection[1];
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            connection[0] = DriverManager.getConnection(NodeFailoverE2E.jdbcUrl(system.stack().sandbox(), db)
                    + "?connectTimeout=2", "postgres", "");
            return true;
        });
        return connection[0];
    }

    static void sql(RunningSystem system, String db, String sql) throws SQLException {
        try (Connection c = connect(system, db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static List<Long> longs(RunningSystem system, String db, String query) throws SQLException {
        try (Connection c = connect(system, db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            List<Long> values = new ArrayList<>();
            while (r.next()) {
                values.add(r.getLong(1));
            }
            return values;
        }
    }

    /** Backends of backup-service's sessions (BackupSessions' application_name). */
    static long backupSessions(RunningSystem system, String db) throws SQLException {
        return longs(system, db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgwarden backup'")
                .get(0);
    }

    /** The pod's container log, on whichever nodes it ran. */
    static String podLog(RunningSystem system, String db) throws Exception {
        StringBuilder log = new StringBuilder();
        try (Stream<Path> files = Files.walk(system.podLogs())) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals(db + "-0.log")).toList()) {
                log.append(Files.readString(f));
            }
        }
        return log.toString();
    }

    /** "16/B374D848" as a number, to compare WAL positions. */
    static long lsn(String lsn) {
        String[] parts = lsn.split("/");
        return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
    }

    /**
     * One client inserting rows one at a time, recording per row the WAL position read inside its transaction
     * (before its commit record) and right after its commit (after the commit record: synchronous commit flushed it).
     */
    static final class LsnWriter implements AutoCloseable {
        record Row(long i, long before, long after) {
        }

        private final Queue<Row> rows = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile Exception failure;

        LsnWriter(String jdbcUrl) {
            thread = new Thread(() -> run(jdbcUrl), "lsn-writer");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(String jdbcUrl) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?) RETURNING"
                         + " pg_current_wal_lsn()::text");
                 PreparedStatement after = c.prepareStatement("SELECT pg_current_wal_lsn()::text")) {
                for (long i = 1; running; i++) {
                    insert.setLong(1, i);
                    long before;
                    try (ResultSet r = insert.executeQuery()) {
                        r.next();
                        before = lsn(r.getString(1));
                    }
                    try (ResultSet r = after.executeQuery()) {
                        r.next();
                        rows.add(new Row(i, before, lsn(r.getString(1))));
                    }
                    Thread.sleep(5); // the load's pace, a write about every 5 ms: not a wait for anything
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        List<Row> rows() {
            if (failure != null) {
                throw new IllegalStateException("the writer failed", failure);
            }
            return List.copyOf(rows);
        }

        List<Row> stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
            return rows();
        }

        @Override
        public void close() {
            running = false;
        }
    }
}
