package io.pgwarden.backup.take;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.backup.api.Problem;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TakeBackup and DeleteBackup inside backup-service, commands from Kafka, on the sandbox cluster with real PostgreSQL
 * pods, CSI snapshots, real Kafka and the real catalog.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = BackupSandboxResource.class, restrictToAnnotatedClass = true)
class TakeBackupIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String NS = "default";
    static final String API = "snapshot.storage.k8s.io/v1";

    private Sandbox sandbox;
    private KubernetesClient client;
    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        sandbox = BackupSandboxResource.sandbox();
        client = sandbox.client();
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.ACTIVITY);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
    }

    @Test
    void an_online_backup_while_a_client_writes_holds_its_label_and_lsns_and_leaves_no_backup_open() throws Exception {
        String db = "pg-online";
        deploy(db);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Exception> writeError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = connect(db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS kept (n int)");
                while (writing.get()) {
                    s.execute("INSERT INTO kept VALUES (" + written.incrementAndGet() + ")");
                }
            } catch (Exception e) {
                writeError.set(e);
            }
        });
        writer.start();
        await().atMost(WAIT).until(() -> written.get() > 10);

        MessageMetadata take = send(new TakeBackup(NS, db, BackupMethod.ONLINE, null, null, null, null), db);
        CommandStatusChanged done = tail.awaitFinal(take.id(), WAIT);
        int writtenDuringBackup = written.get();
        writing.set(false);
        writer.join(10_000);
        assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(done.reason()).matches("backup pg-online-\\d{8}-\\d{6} of default/pg-online \\(online, csi\\)"
                + " completed in \\d+\\.\\d s: snapshots pg-online-\\S+-data-pg-online-0 \\(data of data-pg-online-0,"
                + " \\d+ bytes\\), pg-online-\\S+-data-pg-online-0-wal-tail \\(wal-tail of data-pg-online-0, \\d+"
                + " bytes\\); start LSN \\S+, stop LSN \\S+");
        assertThat(writeError.get()).as("the client's writes").isNull();
        assertThat(writtenDuringBackup).isGreaterThan(10);
        String id = done.reason().split(" ")[1];

        List<GenericKubernetesResource> snapshots = snapshots(id);
        assertThat(snapshots).hasSize(2);
        for (GenericKubernetesResource s : snapshots) {
            assertThat(s.getMetadata().getAnnotations().get(Names.BACKUP_LABEL_ANNOTATION))
                    .startsWith("START WAL LOCATION");
            assertThat(s.getMetadata().getAnnotations()).containsKey(Names.STOP_LSN_ANNOTATION);
            assertThat(((Map<?, ?>) s.getAdditionalProperties().get("status")).get("readyToUse")).isEqualTo(true);
        }
        JsonPath backup = given().get("/backups/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(backup.getString("phase")).isEqualTo("completed");
        assertThat(backup.getString("method")).isEqualTo("online");
        assertThat(backup.getString("startLsn")).isNotBlank();
        assertThat(backup.getString("stopLsn")).isNotBlank();
        assertThat(backup.getString("verification")).isEqualTo("never verified");
        assertThat(backup.getList("snapshots")).hasSize(2);
        assertThat(backup.getLong("sizeBytes")).isPositive();
        assertThat(catalog("SELECT backup_label FROM backup WHERE id = '" + id + "'"))
                .startsWith("START WAL LOCATION");
        given().get("/backups/nope").then().statusCode(404).contentType(Problem.MEDIA_TYPE);
        assertThat(given().queryParam("namespace", NS).queryParam("cluster", db).get("/backups").then()
                .statusCode(200).extract().jsonPath().getList("id")).containsExactly(id);
        assertThat(backupSessions(db)).as("backup sessions left open").isZero();
        assertThat(tail.statusesOf(take.id())).extracting(CommandStatusChanged::step)
                .anyMatch(s -> s != null && s.contains("pg_backup_start('" + id + "', fast => true)"));
        assertThat(activities(take.id())).containsSubsequence("DatabaseLocked", "BackupStarting",
                "BackupSnapshotting", "BackupStopping", "BackupStopped", "BackupCompleted");

        // A missing credentials Secret is refused, and nothing stored is harmed.
        client.secrets().inNamespace(NS).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> client.secrets().inNamespace(NS)
                .withName(DemoDatabase.credentialsSecret(db)).get() == null);
        MessageMetadata noSecret = send(new TakeBackup(NS, db, BackupMethod.ONLINE, null, null, null, null), db);
        CommandStatusChanged refused = tail.awaitFinal(noSecret.id(), WAIT);
        assertThat(refused.state()).isEqualTo(CommandState.REJECTED);
        assertThat(refused.reason()).isEqualTo("the Secret default/pg-online-credentials that StatefulSet"
                + " default/pg-online names in pgwarden.io/credentials-secret does not exist: create it (keys"
                + " username, password)");
        assertThat(snapshots(id)).hasSize(2);
    }

    @Test
    void crash_consistent_and_cold_backups_complete_cold_leaves_the_database_running_and_delete_removes_snapshots()
            throws Exception {
        String db = "pg-cold";
        deploy(db);
        MessageMetadata crash = send(new TakeBackup(NS, db, BackupMethod.CRASH_CONSISTENT, null, null, null, null), db);
        CommandStatusChanged crashed = tail.awaitFinal(crash.id(), WAIT);
        Instant crashDone = Instant.now();
        assertThat(crashed.state()).as(crashed.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(crashed.reason()).contains("(crash-consistent, csi) completed");
        String crashId = crashed.reason().split(" ")[1];
        assertThat(snapshots(crashId)).hasSize(1);

        // Backup ids have a resolution of one second.
        await().atMost(WAIT).until(() -> Instant.now().getEpochSecond() > crashDone.getEpochSecond());
        MessageMetadata cold = send(new TakeBackup(NS, db, BackupMethod.COLD, null, null, null, null), db);
        CommandStatusChanged colded = tail.awaitFinal(cold.id(), WAIT);
        assertThat(colded.state()).as(colded.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(colded.reason()).contains("(cold, csi) completed");
        String coldId = colded.reason().split(" ")[1];
        assertThat(activities(cold.id())).containsSubsequence("BackupStoppingDatabase", "BackupSnapshotting",
                "BackupStartingDatabase", "BackupDatabaseStarted", "BackupCompleted");
        StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName(db).get();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
        assertThat(sts.getMetadata().getAnnotations()).doesNotContainKey(Names.STOPPED_REPLICAS_ANNOTATION);
        assertThat(podReady(db)).isTrue();
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS after_cold (n int)");
        }

        MessageMetadata lastGood = send(new DeleteBackup(NS, db, coldId, false, null), db);
        CommandStatusChanged kept = tail.awaitFinal(lastGood.id(), WAIT);
        assertThat(kept.state()).isEqualTo(CommandState.REJECTED);
        assertThat(kept.reason()).contains("is the last completed backup of default/pg-cold");
        assertThat(snapshots(coldId)).hasSize(1);

        MessageMetadata delete = send(new DeleteBackup(NS, db, crashId, false, null), db);
        CommandStatusChanged deleted = tail.awaitFinal(delete.id(), WAIT);
        assertThat(deleted.state()).as(deleted.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(snapshots(crashId)).isEmpty();
        assertThat(given().get("/backups/" + crashId).then().statusCode(200).extract().jsonPath()
                .getString("phase")).isEqualTo("deleted");

        // The pages the gateway asks for past its copy, and the copy itself.
        assertThat(page(db, "limit", "1")).containsExactly(coldId);
        assertThat(page(db, "limit", "1", "before", coldId)).containsExactly(crashId);
        assertThat(page(db, "before", crashId)).isEmpty();
        assertThat(given().get("/backups?newestOfEach=1").then().statusCode(200).extract().jsonPath()
                .getList("id", String.class)).contains(coldId).doesNotContain(crashId);
        given().queryParam("namespace", NS).queryParam("cluster", db).queryParam("before", "nope").get("/backups")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        given().queryParam("namespace", NS).queryParam("cluster", db).queryParam("limit", "0").get("/backups")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        given().get("/backups?newestOfEach=1&cluster=" + db).then().statusCode(400);
    }

    private static List<String> page(String db, String... parameters) {
        var request = given().queryParam("namespace", NS).queryParam("cluster", db);
        for (int i = 0; i < parameters.length; i += 2) {
            request = request.queryParam(parameters[i], parameters[i + 1]);
        }
        return request.get("/backups").then().statusCode(200).extract().jsonPath().getList("id", String.class);
    }

    @Test
    void a_crash_consistent_backup_of_two_claims_and_an_unmanaged_database_are_refused() {
        String db = "pg-two-claims";
        client.apps().statefulSets().inNamespace(NS).resource(twoClaims(db)).create();
        MessageMetadata two = send(new TakeBackup(NS, db, BackupMethod.CRASH_CONSISTENT, null, null, null, null), db);
        CommandStatusChanged refused = tail.awaitFinal(two.id(), WAIT);
        assertThat(refused.state()).isEqualTo(CommandState.REJECTED);
        assertThat(refused.reason()).isEqualTo("a crash-consistent backup of default/pg-two-claims is refused: its"
                + " pod has 2 claims (data-pg-two-claims-0, wal-pg-two-claims-0), and snapshots of several volumes"
                + " are not atomic together; use online or cold");

        client.apps().statefulSets().inNamespace(NS).withName(db).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + Names.MANAGED_LABEL + "\":null}}}");
        MessageMetadata unmanaged = send(new TakeBackup(NS, db, null, null, null, null, null), db);
        CommandStatusChanged notOurs = tail.awaitFinal(unmanaged.id(), WAIT);
        assertThat(notOurs.state()).isEqualTo(CommandState.REJECTED);
        assertThat(notOurs.reason()).isEqualTo("StatefulSet default/pg-two-claims is not managed by pgwarden: label it"
                + " pgwarden.io/managed=true first");
        client.apps().statefulSets().inNamespace(NS).withName(db).delete();
    }

    @Test
    void a_session_killed_while_the_snapshot_is_cut_fails_the_backup_and_deletes_its_snapshots() throws Exception {
        String db = "pg-killed";
        deploy(db);
        MessageMetadata take = send(new TakeBackup(NS, db, BackupMethod.ONLINE, null, null, null, null), db);
        tail.await(ofType(MessageType.COMMAND_STATUS_CHANGED).and(correlatedTo(take.id()))
                .and(r -> TopicProbe.text(r).contains("to be cut")), WAIT);
        String id = BackupIds.find(tail, take.id());
        assertThat(snapshots(id)).hasSize(1);
        assertThat(backupSessions(db)).isEqualTo(1);
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                    + BackupSessions.APPLICATION_NAME + "'");
        }

        CommandStatusChanged failed = tail.awaitFinal(take.id(), WAIT);
        assertThat(failed.state()).as(failed.toString()).isEqualTo(CommandState.FAILED);
        assertThat(failed.reason()).isEqualTo("backup " + id + " of default/" + db + " failed: the backup session was"
                + " lost (the connection to the database ended (its backend was terminated, or the server restarted));"
                + " PostgreSQL ended the backup with it; its snapshots are deleted");
        assertThat(snapshots(id)).isEmpty();
        assertThat(backupSessions(db)).isZero();
        JsonPath backup = given().get("/backups/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(backup.getString("phase")).isEqualTo("failed");
        assertThat(backup.getString("error")).startsWith("the backup session was lost");
    }

    // ---- helpers ----

    /** The backup id a running TakeBackup announced in its first step. */
    static final class BackupIds {
        static String find(TopicTail tail, String commandId) {
            return tail.statusesOf(commandId).stream().map(CommandStatusChanged::step)
                    .filter(s -> s != null && s.startsWith("backup ")).map(s -> s.split(" ")[1]).findFirst()
                    .orElseThrow();
        }
    }

    private MessageMetadata send(Command command, String db) {
        return probe.send("/test/operator", command, NS + "/" + db);
    }

    private List<String> activities(String commandId) {
        return tail.matching(ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(commandId))).stream()
                .map(r -> {
                    try {
                        return Json.read(r.value(), ActivityRecorded.class).action();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).toList();
    }

    private void deploy(String db) {
        DemoDatabase.deploy(client, NS, db);
        await().atMost(WAIT).until(() -> podReady(db));
    }

    private boolean podReady(String db) {
        Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private List<GenericKubernetesResource> snapshots(String backupId) {
        return client.genericKubernetesResources(API, "VolumeSnapshot").inNamespace(NS)
                .withLabel(Names.BACKUP_ID_LABEL, backupId).list().getItems();
    }

    private int backupSessions(String db) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + BackupSessions.APPLICATION_NAME
                        + "'")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static String catalog(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(KafkaAndPostgresResource.database().jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("SET search_path = backup");
            try (ResultSet r = s.executeQuery(sql)) {
                r.next();
                return r.getString(1);
            }
        }
    }

    /** A pod just Ready may not be behind its Service's proxy yet: the first connection is retried. */
    private Connection connect(String db) {
        AtomicReference<Connection> connection = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            int port = sandbox.servicePort(NS, db).orElseThrow();
            connection.set(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                    "postgres", ""));
            return true;
        });
        return connection.get();
    }

    /** A managed StatefulSet whose container mounts two claims; it need not run PostgreSQL. */
    private static StatefulSet twoClaims(String name) {
        Map<String, String> labels = Map.of("app", name, Names.MANAGED_LABEL, "true");
        StatefulSetBuilder b = new StatefulSetBuilder();
        return b.withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(1).withServiceName(name)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .addNewContainer().withName("postgres").withImage(DemoDatabase.IMAGE)
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                .addNewVolumeMount().withName("wal").withMountPath("/var/lib/postgresql/wal").endVolumeMount()
                .endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS).withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().endVolumeClaimTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("wal").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS).withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().endVolumeClaimTemplate()
                .endSpec().build();
    }
}
