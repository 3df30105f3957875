package io.pgwarden.backup.drill;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.backup.decide.DrillDecider;
import io.pgwarden.backup.restore.BackupFixture;
import io.pgwarden.backup.restore.RestoreSandboxResource;
import io.pgwarden.backup.restore.SandboxDatabases;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * VerifyBackup inside backup-service on the sandbox with real PostgreSQL, Kafka and catalog: a good online backup
 * verified with its measured restore time and objective, a corrupted snapshot failed with the reason, an objective of
 * a millisecond raising the alert on a good backup; after each drill nothing with its label remains.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = RestoreSandboxResource.class, restrictToAnnotatedClass = true)
class DrillIT {
    private static final Logger LOG = Logger.getLogger(DrillIT.class);
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

    @Test
    void a_good_online_backup_is_verified_with_its_restore_time_and_objective_and_nothing_is_left() throws Exception {
        String db = "pg-drill-ok";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-100000";
        dbs.deploy(db);
        try {
            dbs.sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 100)");
            try (Connection session = dbs.connect(db)) {
                String startLsn = BackupFixture.start(session, id);
                backups.snapshot(id + "-data", claim, id);
                BackupFixture.Stopped stopped = BackupFixture.stop(session, startLsn);
                backups.snapshot(id + "-wal-tail", claim, id);
                backups.record(id, db, "online", "completed", stopped, claim);
            }
            RestAssured.get("/backups/" + id).then().statusCode(200).body("cluster", is(db))
                    .body("verification", is("never verified"), "drill", is((Object) null));

            MessageMetadata drill = send(new VerifyBackup(NS, db, id, "test"), db);
            CommandStatusChanged done = tail.awaitFinal(drill.id(), WAIT);
            LOG.infof("online drill: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).startsWith("backup " + id + " of default/" + db + " verified:")
                    .contains(", recovered to ").contains("(objective PT5M)");
            Map<String, Object> row = row(id);
            assertThat(row.get("verification")).isEqualTo("verified");
            assertThat((Long) row.get("drill_millis")).isPositive();
            assertThat(row.get("rto_millis")).isEqualTo(300_000L);
            assertThat(row.get("verify_error")).isNull();
            RestAssured.get("/backups/" + id).then().statusCode(200)
                    .body("verification", startsWith("verified at "), "drill.objectiveMillis", is(300_000),
                            "drill.overObjective", is(false), "drill.error", is((Object) null));
            assertThat(leftovers(drill.id())).isEmpty();
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM t")).containsExactly(100);
        } finally {
            dbs.drop(db);
        }
    }

    @Test
    void a_corrupted_snapshot_fails_its_drill_with_the_reason_and_is_cleaned_up() throws Exception {
        String db = "pg-drill-bad";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-110000";
        dbs.deploy(db);
        try {
            dbs.sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            backups.snapshot(id + "-data", claim, id);
            backups.record(id, db, "crash-consistent", "completed", null, claim);
            sandbox.faults().corruptSnapshot(NS, id + "-data");

            MessageMetadata unknown = send(new VerifyBackup(NS, db, db + "-20990101-000000", null), db);
            CommandStatusChanged rejected = tail.awaitFinal(unknown.id(), WAIT);
            assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
            assertThat(rejected.reason()).startsWith("no backup " + db + "-20990101-000000 in the catalog");

            MessageMetadata drill = send(new VerifyBackup(NS, db, id, null), db);
            CommandStatusChanged done = tail.awaitFinal(drill.id(), WAIT);
            LOG.infof("corrupted drill: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.FAILED);
            assertThat(done.reason()).startsWith("backup " + id + " of default/" + db + " failed its drill:"
                    + " PostgreSQL did not start on the restored data");
            Map<String, Object> row = row(id);
            assertThat(row.get("verification")).isEqualTo("failed");
            assertThat((String) row.get("verify_error")).startsWith("PostgreSQL did not start on the restored data");
            assertThat(row.get("drill_millis")).isNull();
            assertThat(leftovers(drill.id())).isEmpty();
            assertThat(podLogs("drill-")).contains("incorrect checksum in control file");
            assertThat(dbs.ints(db, "SELECT count(*)::int FROM t")).containsExactly(10);
        } finally {
            dbs.drop(db);
        }
    }

    @Test
    void a_drill_over_the_objective_verifies_the_backup_and_raises_the_alert() throws Exception {
        String db = "pg-drill-slow";
        String claim = "data-" + db + "-0";
        String id = db + "-20261127-120000";
        dbs.deploy(db);
        try {
            client.apps().statefulSets().inNamespace(NS).withName(db).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"" + Names.RECOVERY_TIME_OBJECTIVE_ANNOTATION
                            + "\":\"PT0.001S\"}}}");
            dbs.sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)");
            backups.snapshot(id + "-data", claim, id);
            backups.record(id, db, "crash-consistent", "completed", null, claim);

            MessageMetadata drill = send(new VerifyBackup(NS, db, id, null), db);
            CommandStatusChanged done = tail.awaitFinal(drill.id(), WAIT);
            LOG.infof("slow drill: %s", done.reason());
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).contains("verified").contains("OVER the recovery-time objective of PT0.001S");
            Map<String, Object> row = row(id);
            assertThat(row.get("verification")).isEqualTo("verified");
            assertThat(row.get("rto_millis")).isEqualTo(1L);
            assertThat((Long) row.get("drill_millis")).isGreaterThan(1L);
            ActivityRecorded alert = Json.read(tail.await(TopicProbe.ofType(MessageType.ACTIVITY_RECORDED)
                    .and(r -> activity(r).action().equals("DrillOverObjective")
                            && activity(r).subject().equals(NS + "/" + db)), WAIT).value(), ActivityRecorded.class);
            assertThat(alert.detail()).contains("over the recovery-time objective");
            await().atMost(WAIT).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(e -> "DrillOverObjective".equals(e.getReason()) && "Warning".equals(e.getType())
                            && db.equals(e.getInvolvedObject().getName())));
            assertThat(leftovers(drill.id())).isEmpty();
        } finally {
            dbs.drop(db);
        }
    }

    private static ActivityRecorded activity(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        try {
            return Json.read(r.value(), ActivityRecorded.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pods, Jobs and claims carrying the drill's label. */
    private List<String> leftovers(String drillId) {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.pods().inNamespace(NS).withLabel(DrillDecider.DRILL_LABEL, drillId).list().getItems());
        all.addAll(client.batch().v1().jobs().inNamespace(NS).withLabel(DrillDecider.DRILL_LABEL, drillId).list()
                .getItems());
        all.addAll(client.persistentVolumeClaims().inNamespace(NS).withLabel(DrillDecider.DRILL_LABEL, drillId).list()
                .getItems());
        return all.stream().map(o -> o.getKind() + " " + o.getMetadata().getName()).toList();
    }

    private Map<String, Object> row(String id) throws Exception {
        try (Connection c = catalog.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT verification, verify_error, drill_millis, rto_millis, verified_at"
                     + " FROM backup WHERE id = '" + id + "'")) {
            r.next();
            Map<String, Object> row = new java.util.HashMap<>();
            row.put("verification", r.getString(1));
            row.put("verify_error", r.getString(2));
            row.put("drill_millis", r.getObject(3));
            row.put("rto_millis", r.getObject(4));
            row.put("verified_at", r.getObject(5));
            return row;
        }
    }

    private static String podLogs(String prefix) throws Exception {
        StringBuilder log = new StringBuilder();
        try (var files = java.nio.file.Files.walk(RestoreSandboxResource.dataDir().resolve("logs"))) {
            for (var f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                log.append(java.nio.file.Files.readString(f));
            }
        }
        return log.toString();
    }

    private MessageMetadata send(Object command, String db) {
        return probe.send("/test/operator", command, NS + "/" + db);
    }

}
