package io.pgwarden.backup.take;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.rbd.RbdConfig;
import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdSnapshots;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.SnapshotDriver;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TakeBackup, RestoreBackup, UndoRestore and DeleteBackup with the rbd driver inside backup-service, commands from
 * Kafka, on the sandbox cluster, whose Job controller runs the rbd Jobs and whose rbd command line acts on the
 * database's image: a cold and a crash-consistent backup, a restore by rollback in place, its undo, and deletion.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = BackupSandboxResource.class, restrictToAnnotatedClass = true)
class RbdBackupIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String NS = "default";

    @Inject
    RbdSnapshots rbd;

    @Inject
    RbdConfig config;

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
    void rbd_backups_restore_in_place_undo_and_delete() throws Exception {
        String db = "pg-rbd";
        String claim = "data-" + db + "-0";
        rookCluster();
        DemoDatabase.deploy(client, NS, db);
        await().atMost(WAIT).until(() -> podReady(db));
        sql(db, "CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 100)");
        String pv = client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName();
        RbdImage image = rbd.imageOf(NS, claim);

        // Online is refused with rbd, saying what to ask for instead; nothing is made.
        CommandStatusChanged online = tail.awaitFinal(send(new TakeBackup(NS, db, BackupMethod.ONLINE,
                SnapshotDriver.RBD, null, null, null), db).id(), WAIT);
        assertThat(online.state()).isEqualTo(CommandState.REJECTED);
        assertThat(online.reason()).startsWith("an online backup with the rbd driver is refused")
                .contains("ask for method cold or crash-consistent with rbd");

        CommandStatusChanged crashed = tail.awaitFinal(send(new TakeBackup(NS, db, BackupMethod.CRASH_CONSISTENT,
                SnapshotDriver.RBD, null, null, null), db).id(), WAIT);
        Instant crashDone = Instant.now();
        assertThat(crashed.state()).as(crashed.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(crashed.reason()).contains("(crash-consistent, rbd) completed");
        String crashId = crashed.reason().split(" ")[1];

        // Backup ids have a resolution of one second.
        await().atMost(WAIT).until(() -> Instant.now().getEpochSecond() > crashDone.getEpochSecond());
        CommandStatusChanged cold = tail.awaitFinal(send(new TakeBackup(NS, db, BackupMethod.COLD,
                SnapshotDriver.RBD, null, null, null), db).id(), WAIT);
        assertThat(cold.state()).as(cold.toString()).isEqualTo(CommandState.SUCCEEDED);
        String id = cold.reason().split(" ")[1];
        String snapshot = id + "-" + claim;
        assertThat(cold.reason()).contains("(cold, rbd) completed").contains(image.spec() + "@" + snapshot);
        assertThat(catalog("SELECT snapshot FROM backup_snapshot WHERE backup_id = '" + id + "'"))
                .isEqualTo(image.spec() + "@" + snapshot);
        assertThat(rbdSnapLs(image)).contains(snapshot, crashId + "-" + claim);
        assertThat(podReady(db)).as("the cold backup started the database again").isTrue();

        sql(db, "INSERT INTO t SELECT generate_series(101, 150)");
        assertThat(ints(db)).hasSize(150);

        MessageMetadata restore = send(new RestoreBackup(NS, db, id, "test"), db);
        CommandStatusChanged restored = tail.awaitFinal(restore.id(), WAIT);
        assertThat(restored.state()).as(restored.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(restored.reason()).contains("rolled back in place");
        assertThat(ints(db)).as("exactly the backup's rows").isEqualTo(IntStream.rangeClosed(1, 100).boxed().toList());
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName())
                .as("same claim, same volume").isEqualTo(pv);
        assertThat(rbd.imageOf(NS, claim)).as("same image").isEqualTo(image);
        assertThat(rbdSnapLs(image)).contains("pgwarden-before-restore-" + restore.id());

        CommandStatusChanged undone = tail.awaitFinal(send(new UndoRestore(NS, db, restore.id(), "test"), db).id(),
                WAIT);
        assertThat(undone.state()).as(undone.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(ints(db)).as("the rows from before the restore")
                .isEqualTo(IntStream.rangeClosed(1, 150).boxed().toList());

        CommandStatusChanged deleted = tail.awaitFinal(send(new DeleteBackup(NS, db, id, true, null), db).id(), WAIT);
        assertThat(deleted.state()).as(deleted.toString()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(catalog("SELECT phase FROM backup WHERE id = '" + id + "'")).isEqualTo("deleted");
        String left = rbdSnapLs(image);
        assertThat(left).doesNotContain(snapshot).contains(crashId + "-" + claim);
    }

    /** The Rook cluster's namespace with what Rook keeps there for its toolbox (the sandbox mounts neither). */
    private void rookCluster() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(config.namespace()).endMetadata()
                .build()).create();
        client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(config.monEndpointsConfigMap()).endMetadata().withData(Map.of("data", "a=10.0.0.1:6789"))
                .build()).create();
        client.secrets().inNamespace(config.namespace()).resource(new SecretBuilder().withNewMetadata()
                .withName(config.adminSecret()).endMetadata().withStringData(Map.of("ceph-username", "client.admin",
                        "ceph-secret", "AQBzsandboxkey==")).build()).create();
    }

    /** {@code rbd snap ls} in a toolbox Job of the test's own, its output read from the sandbox's log directory. */
    private String rbdSnapLs(RbdImage image) throws Exception {
        String name = "ls-" + System.nanoTime();
        client.batch().v1().jobs().inNamespace(config.namespace()).resource(new JobBuilder().withNewMetadata()
                .withName(name).endMetadata().withNewSpec().withBackoffLimit(0).withNewTemplate().withNewSpec()
                .addNewContainer().withName("script").withImage(config.toolboxImage())
                .withCommand("bash", "-c", "rbd snap ls " + image.spec()).endContainer().withRestartPolicy("Never")
                .endSpec().endTemplate().endSpec().build()).create();
        await(name + " completed").atMost(WAIT).until(() -> {
            Job job = client.batch().v1().jobs().inNamespace(config.namespace()).withName(name).get();
            return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                    .stream().anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        Pod pod = client.pods().inNamespace(config.namespace()).withLabel("job-name", name).list().getItems().get(0);
        return Files.readString(BackupSandboxResource.dataDir().resolve("logs").resolve(pod.getSpec().getNodeName())
                .resolve(pod.getMetadata().getName() + ".log"));
    }

    private MessageMetadata send(Object command, String db) {
        return probe.send("/test/operator", command, NS + "/" + db);
    }

    private boolean podReady(String db) {
        Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String catalog(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(KafkaAndPostgresResource.database().jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("SET search_path = backup");
            try (ResultSet r = s.executeQuery(sql)) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    /** A pod just Ready may not be behind its Service's proxy yet: the first connection is retried. */
    private Connection connect(String db) {
        AtomicReference<Connection> connection = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            int port = sandbox.servicePort(NS, db).orElseThrow();
            connection.set(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                    "postgres", ""));
            return true;
        });
        return connection.get();
    }

    private void sql(String db, String sql) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private List<Integer> ints(String db) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT i FROM t ORDER BY i")) {
            List<Integer> values = new ArrayList<>();
            while (r.next()) {
                values.add(r.getInt(1));
            }
            return values;
        }
    }
}
