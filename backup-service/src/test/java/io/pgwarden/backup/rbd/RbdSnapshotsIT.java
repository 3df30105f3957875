package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static io.pgwarden.backup.rbd.RbdJobState.Phase.ABSENT;
import static io.pgwarden.backup.rbd.RbdJobState.Phase.FAILED;
import static io.pgwarden.backup.rbd.RbdJobState.Phase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The rbd driver's Jobs on the sandbox cluster, whose Job controller runs them and whose rbd command line acts on the
 * demo database's image: a snapshot of the detached image, a rollback refused while it is attached, a rollback once
 * detached that brings back the snapshot's rows, removal, and re-runs that start no second Job.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = RbdSandboxResource.class, restrictToAnnotatedClass = true)
class RbdSnapshotsIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String NS = DemoDatabase.NAMESPACE;
    static final String CLAIM = "data-" + DemoDatabase.NAME + "-0";
    static final String BACKUP = DemoDatabase.NAME + "-20261127-120000";
    static final String RESTORE = "restore-1";

    @Inject
    RbdSnapshots rbd;

    @Inject
    RbdConfig config;

    @Test
    void snapshot_rollback_refused_while_attached_rollback_once_detached_and_remove() throws Exception {
        KubernetesClient client = RbdSandboxResource.sandbox().client();
        rookCluster(client);
        awaitDatabase();
        sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");
        RbdImage image = rbd.imageOf(NS, CLAIM);
        String pv = client.persistentVolumeClaims().inNamespace(NS).withName(CLAIM).get().getSpec().getVolumeName();
        assertThat(image.spec()).isEqualTo("replicapool/"
                + client.persistentVolumes().withName(pv).get().getSpec().getCsi().getVolumeAttributes().get("imageName"));
        assertThatThrownBy(() -> rbd.imageOf(NS, "no-such-claim")).isInstanceOf(RbdImage.NotAnRbdVolume.class)
                .hasMessage("claim default/no-such-claim does not exist");

        scaleToZeroAndDetach(client);
        RbdStep snapshot = RbdStep.takeSnapshot(BACKUP, "data", image, Instant.now());
        rbd.start(snapshot);
        assertThat(rbd.start(snapshot).phase()).as("a re-run of start").isNotEqualTo(FAILED);
        assertThat(finished(snapshot.jobName())).extracting(RbdJobState::phase).isEqualTo(SUCCEEDED);
        assertThat(client.batch().v1().jobs().inNamespace(config.namespace()).withLabel("pgwarden.io/backup", BACKUP)
                .list().getItems()).as("Jobs of the backup").hasSize(1);
        assertThat(client.pods().inNamespace(config.namespace()).withLabel("job-name", snapshot.jobName()).list()
                .getItems()).as("pods of the snapshot's Job").hasSize(1);
        assertThat(snapshots(client, image)).contains(BACKUP + "-data");

        rbd.delete(snapshot.jobName());
        await().atMost(WAIT).until(() -> rbd.observe(snapshot.jobName()).phase() == ABSENT);
        rbd.start(snapshot);
        RbdJobState again = finished(snapshot.jobName());
        assertThat(again.phase()).as(again.reason()).isEqualTo(SUCCEEDED);
        assertThat(again.reason()).contains("already made at").contains("by an earlier run of this step");
        RbdStep notOurs = new RbdStep("rbd-test-not-ours", BACKUP, RbdAction.CREATE, image, snapshot.snapshot(),
                Instant.now().plusSeconds(2));
        rbd.start(notOurs);
        RbdJobState refused = finished(notOurs.jobName());
        assertThat(refused.phase()).isEqualTo(FAILED);
        assertThat(refused.reason()).contains("before this step began").contains("not this backup's");

        client.apps().statefulSets().inNamespace(NS).withName(DemoDatabase.NAME).scale(1);
        awaitDatabase();
        sql("INSERT INTO t SELECT generate_series(101, 150)");
        RbdStep rollBack = RbdStep.rollBack(RESTORE, BACKUP, "data", image);
        rbd.start(rollBack);
        RbdJobState busy = finished(rollBack.jobName());
        assertThat(busy.phase()).isEqualTo(FAILED);
        assertThat(busy.reason()).isEqualTo("rbd snap rollback " + image.spec() + "@" + BACKUP + "-data failed with"
                + " exit code 16: rbd: rollback failed: (16) Device or resource busy");
        assertThat(count()).isEqualTo(150);

        scaleToZeroAndDetach(client);
        RbdStep safety = RbdStep.takeSafetySnapshot(RESTORE, BACKUP, "data", image, Instant.now());
        rbd.start(safety);
        assertThat(finished(safety.jobName()).phase()).isEqualTo(SUCCEEDED);
        rbd.delete(rollBack.jobName());
        await().atMost(WAIT).until(() -> rbd.observe(rollBack.jobName()).phase() == ABSENT);
        rbd.start(rollBack);
        assertThat(finished(rollBack.jobName()).phase()).isEqualTo(SUCCEEDED);
        client.apps().statefulSets().inNamespace(NS).withName(DemoDatabase.NAME).scale(1);
        awaitDatabase();
        assertThat(count()).as("rows after the rollback").isEqualTo(100);

        RbdStep remove = RbdStep.removeSnapshot(BACKUP, "data", image);
        rbd.start(remove);
        assertThat(finished(remove.jobName()).phase()).isEqualTo(SUCCEEDED);
        assertThat(snapshots(client, image)).doesNotContain(BACKUP + "-data").contains("pgwarden-before-restore-" + RESTORE);
        rbd.delete(remove.jobName());
        await().atMost(WAIT).until(() -> rbd.observe(remove.jobName()).phase() == ABSENT);
        rbd.start(remove);
        RbdJobState gone = finished(remove.jobName());
        assertThat(gone.phase()).as(gone.reason()).isEqualTo(SUCCEEDED);
        assertThat(gone.reason()).contains("already gone");
    }

    /** The Rook cluster's namespace with what Rook keeps there for its toolbox (the sandbox mounts neither). */
    private void rookCluster(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(config.namespace()).endMetadata()
                .build()).create();
        client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(config.monEndpointsConfigMap()).endMetadata().withData(Map.of("data", "a=10.0.0.1:6789"))
                .build()).create();
        client.secrets().inNamespace(config.namespace()).resource(new SecretBuilder().withNewMetadata()
                .withName(config.adminSecret()).endMetadata().withStringData(Map.of("ceph-username", "client.admin",
                        "ceph-secret", "AQBzsandboxkey==")).build()).create();
    }

    private RbdJobState finished(String job) {
        await(job + " finished").atMost(WAIT).until(() -> rbd.observe(job).finished());
        return rbd.observe(job);
    }

    /** {@code rbd snap ls} in a toolbox Job of the test's own; its output read from the sandbox's log directory. */
    private static String snapshots(KubernetesClient client, RbdImage image) throws Exception {
        String name = "ls-" + System.nanoTime();
        client.batch().v1().jobs().inNamespace("rook-ceph").resource(new JobBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withBackoffLimit(0).withNewTemplate().withNewSpec().addNewContainer()
                .withName("script").withImage("docker.io/rook/ceph:v1.20.6")
                .withCommand("bash", "-c", "rbd snap ls " + image.spec()).endContainer().withRestartPolicy("Never")
                .endSpec().endTemplate().endSpec().build()).create();
        await(name + " completed").atMost(WAIT).until(() -> {
            Job job = client.batch().v1().jobs().inNamespace("rook-ceph").withName(name).get();
            return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                    .stream().anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        Pod pod = client.pods().inNamespace("rook-ceph").withLabel("job-name", name).list().getItems().get(0);
        return Files.readString(RbdSandboxResource.dataDir().resolve("logs").resolve(pod.getSpec().getNodeName())
                .resolve(pod.getMetadata().getName() + ".log"));
    }

    private static void scaleToZeroAndDetach(KubernetesClient client) {
        client.apps().statefulSets().inNamespace(NS).withName(DemoDatabase.NAME).scale(0);
        await("the database's pod gone and its volume detached").atMost(WAIT).until(() ->
                client.pods().inNamespace(NS).withName(DemoDatabase.NAME + "-0").get() == null
                        && client.storage().v1().volumeAttachments().list().getItems().isEmpty());
    }

    private static void awaitDatabase() {
        await("the demo database answers").atMost(WAIT).ignoreExceptions().until(() -> {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                return s.execute("SELECT 1");
            }
        });
    }

    private static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(RbdSandboxResource.sandbox().demoDatabaseJdbcUrl().orElseThrow(), props);
    }

    private static void sql(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
