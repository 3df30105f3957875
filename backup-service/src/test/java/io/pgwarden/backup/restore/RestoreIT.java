package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/**
 * RestoreBackup and UndoRestore inside backup-service, commands from Kafka, on the sandbox cluster with real
 * PostgreSQL pods, real Kafka and the real catalog. The backups are made by {@link BackupFixture}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = RestoreSandboxResource.class, restrictToAnnotatedClass = true)
class RestoreIT {
    private static final Logger LOG = Logger.getLogger(RestoreIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String NS = "default";

    @Inject
    DataSource catalog;

    private Sandbox sandbox;
    private KubernetesClient client;
    private SandboxDatabases dbs;
    private BackupFixture backups;
    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        sandbox = RestoreSandboxResource.sandbox();
        client = sandbox.client();
        dbs = new SandboxDatabases(sandbox, NS);
        backups = new BackupFixture(client, catalog, NS);
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.ACTIVITY);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
    }

    /** One row the writer sent: when the INSERT was sent and when its commit returned (System.nanoTime). */
    record Written(int i, long sentAt, long doneAt) {
    }

    @Test
    void an_online_backup_taken_under_writes_restores_every_row_from_before_start_and_none_from_after_stop_and_undo_puts_back_the_rest()
            throws Exception {
        String db = "pg-online";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-100000";
        dbs.deploy(db);
        try {
            dbs.sql(db, "CREATE TABLE t (i int)");
            Queue<Written> written = new ConcurrentLinkedQueue<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> write(db, written, writing), "writer");
            writer.start();
            await().atMost(WAIT).until(() -> written.size() > 20);

            BackupFixture.Stopped stopped;
            long startReturned;
            long stopReturned;
            try (Connection session = dbs.connect(db)) {
                String startLsn = BackupFixture.start(session, id);
                startReturned = System.nanoTime();
                backups.snapshot(id + "-data", claim, id);
                stopped = BackupFixture.stop(session, startLsn);
                stopReturned = System.nanoTime();
            }
            int afterStop = written.size();
            await().atMost(WAIT).until(() -> written.size() > afterStop + 20);
            backups.snapshot(id + "-wal-tail", claim, id);
            writing.set(false);
            writer.join();
            backups.record(id, db, "online", "completed", stopped, claim);

            List<Integer> fromBeforeStart = written.stream().filter(w -> w.doneAt() < startReturned).map(Written::i)
                    .toList();
            List<Integer> fromAfterStop = written.stream().filter(w -> w.sentAt() > stopReturned).map(Written::i)
                    .toList();
            assertThat(fromBeforeStart).isNotEmpty();
            assertThat(fromAfterStop).as("rows committed after pg_backup_stop, in the wal-tail snapshot").isNotEmpty();
            List<Integer> beforeRestore = dbs.ints(db, "SELECT i FROM t ORDER BY i");

            MessageMetadata restore = send(new RestoreBackup(NS, db, id, "test"), db);
            CommandStatusChanged done = tail.awaitFinal(restore.id(), WAIT);
            LOG.infof("online restore: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).startsWith("restored default/pg-online from backup " + id + ", recovered to ");

            List<Integer> restored = dbs.ints(db, "SELECT i FROM t ORDER BY i");
            assertThat(restored).containsAll(fromBeforeStart);
            assertThat(restored).as("no row sent after pg_backup_stop returned").doesNotContainAnyElementsOf(fromAfterStop);
            dbs.sql(db, "INSERT INTO t VALUES (-1)");
            String log = podLog(db);
            assertThat(log).contains("starting backup recovery with redo LSN");
            assertThat(log).contains("recovery stopping after WAL location (LSN)");
            // Gone from the configuration files; recovery_target_* are postmaster settings, so the running server
            // shows them until its next start, which no longer has them (and they act only in recovery).
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM pg_file_settings WHERE name IN ('recovery_target_lsn',"
                    + " 'recovery_target_action', 'restore_command')")).containsExactly(0);
            assertThat(restoreRow(restore.id())).isEqualTo("completed");
            assertThat(client.apps().statefulSets().inNamespace(NS).withName(db).get().getMetadata().getAnnotations())
                    .doesNotContainKey(Names.STOPPED_REPLICAS_ANNOTATION);

            MessageMetadata undo = send(new UndoRestore(NS, db, restore.id(), "test"), db);
            CommandStatusChanged undone = tail.awaitFinal(undo.id(), WAIT);
            LOG.infof("undo: %s", undone.reason());
            assertThat(undone.state()).as(undone.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(dbs.ints(db, "SELECT i FROM t ORDER BY i")).isEqualTo(beforeRestore);

            MessageMetadata again = send(new UndoRestore(NS, db, restore.id(), null), db);
            CommandStatusChanged refused = tail.awaitFinal(again.id(), WAIT);
            assertThat(refused.state()).isEqualTo(CommandState.REJECTED);
            assertThat(refused.reason()).startsWith("restore " + restore.id() + " was undone already");
        } finally {
            dbs.drop(db);
        }
    }

    @Test
    void a_crash_consistent_backup_restores_exactly_its_rows_and_unknown_or_failed_backups_are_rejected()
            throws Exception {
        String db = "pg-crash";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-110000";
        dbs.deploy(db);
        try {
            dbs.sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 100)");
            backups.snapshot(id + "-data", claim, id);
            backups.record(id, db, "crash-consistent", "completed", null, claim);
            dbs.sql(db, "INSERT INTO t SELECT generate_series(101, 150)");

            MessageMetadata unknown = send(new RestoreBackup(NS, db, "pg-crash-20990101-000000", null), db);
            CommandStatusChanged rejected = tail.awaitFinal(unknown.id(), WAIT);
            assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
            assertThat(rejected.reason()).startsWith("no backup pg-crash-20990101-000000 in the catalog");

            String failedId = db + "-20261127-120000";
            backups.record(failedId, db, "crash-consistent", "failed", null, claim);
            MessageMetadata failed = send(new RestoreBackup(NS, db, failedId, null), db);
            rejected = tail.awaitFinal(failed.id(), WAIT);
            assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
            assertThat(rejected.reason()).isEqualTo("backup " + failedId + " is failed (the snapshot never became"
                    + " ready), not completed: only a completed backup can be restored; pick another one");
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM t")).containsExactly(150);

            MessageMetadata restore = send(new RestoreBackup(NS, db, id, null), db);
            CommandStatusChanged done = tail.awaitFinal(restore.id(), WAIT);
            LOG.infof("crash-consistent restore: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM t")).containsExactly(100);
            dbs.sql(db, "INSERT INTO t VALUES (-1)");
            RestAssured.get("/restores/" + restore.id()).then().statusCode(200).body("phase", is("completed"))
                    .body("backupId", is(id)).body("namespace", is(NS)).body("cluster", is(db));
            RestAssured.get("/restores/nope").then().statusCode(404);
        } finally {
            dbs.drop(db);
        }
    }

    @Test
    void a_restore_that_fails_after_the_swap_puts_the_old_volumes_back_and_the_database_runs() throws Exception {
        String db = "pg-fail";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-130000";
        dbs.deploy(db);
        try {
            dbs.sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            backups.snapshot(id + "-data", claim, id);
            backups.record(id, db, "crash-consistent", "completed", null, claim);
            dbs.sql(db, "INSERT INTO t SELECT generate_series(11, 20)");
            String volume = client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec()
                    .getVolumeName();

            MessageMetadata restore = send(new RestoreBackup(NS, db, id, null), db);
            // The snapshot goes once the restore has scaled the database to 0: after its checks, before the swap.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() ->
                    client.apps().statefulSets().inNamespace(NS).withName(db).get().getSpec().getReplicas() == 0);
            client.genericKubernetesResources(RestoreWorld.SNAPSHOT_API, "VolumeSnapshot").inNamespace(NS)
                    .withName(id + "-data").delete();

            CommandStatusChanged done = tail.awaitFinal(restore.id(), WAIT);
            LOG.infof("failed restore: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.FAILED);
            assertThat(done.reason()).isEqualTo("restore of default/pg-fail failed: VolumeSnapshot default/" + id
                    + "-data of the backup is gone, so claim " + claim + " cannot be restored from it; put the previous"
                    + " volumes back (" + claim + " -> " + volume + "), and default/pg-fail accepts writes again");
            assertThat(tail.statusesOf(restore.id())).extracting(CommandStatusChanged::step)
                    .anyMatch(s -> s != null && s.startsWith("replacing claims " + claim));
            assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName())
                    .isEqualTo(volume);
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM t")).containsExactly(20);
            dbs.sql(db, "INSERT INTO t VALUES (-1)");
            assertThat(restoreRow(restore.id())).isEqualTo("failed");
            assertThat(client.persistentVolumes().withName(volume).get().getSpec().getPersistentVolumeReclaimPolicy())
                    .isEqualTo("Delete");
        } finally {
            dbs.drop(db);
        }
    }

    // ---- the database ----

    private MessageMetadata send(Object command, String db) {
        return probe.send("/test/operator", command, NS + "/" + db);
    }

    private void write(String db, Queue<Written> written, AtomicBoolean writing) {
        try (Connection c = dbs.connect(db); Statement s = c.createStatement()) {
            for (int i = 1; writing.get(); i++) {
                long sentAt = System.nanoTime();
                s.execute("INSERT INTO t VALUES (" + i + ")");
                written.add(new Written(i, sentAt, System.nanoTime()));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String restoreRow(String id) throws Exception {
        try (Connection c = catalog.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT phase FROM restore WHERE id = '" + id + "'")) {
            return r.next() ? r.getString(1) : null;
        }
    }

    /** The pod's container log, on whichever nodes it ran. */
    private static String podLog(String db) throws Exception {
        StringBuilder log = new StringBuilder();
        try (Stream<Path> files = Files.walk(RestoreSandboxResource.dataDir().resolve("logs"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals(db + "-0.log")).toList()) {
                log.append(Files.readString(f));
            }
        }
        return log.toString();
    }
}
