package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database with its WAL on a claim of its own, as the postgres image runs it with POSTGRES_INITDB_WALDIR: the
 * WAL segments are on the second volume and none on the data volume, whose pg_wal is initdb's symlink to the
 * mountPath; the pod deleted comes back on another node with its rows; both claims swapped for ones restored from
 * snapshots taken after a checkpoint bring back the snapshot's rows, the symlink now leading to the new WAL volume.
 */
class SeparateWalClaimIT {
    private static final String NS = "default";
    private static final String NAME = "pg-wal";
    private static final String POD = NAME + "-0";
    private static final List<String> CLAIMS = List.of("data-" + NAME + "-0", "wal-" + NAME + "-0");
    private static final String API = "snapshot.storage.k8s.io/v1";

    @Test
    void walLivesOnItsOwnClaimThroughRestartsAndRestores() throws Exception {
        Path dir = Files.createTempDirectory("sandbox-it");
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(dir))) {
            KubernetesClient client = sandbox.client();
            DemoDatabase.deployWithWalClaim(client, NS, NAME);
            Pod first = awaitReady(sandbox, null);
            sql(sandbox, "CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100); SELECT pg_switch_wal()");

            Path data = volume(dir, client, CLAIMS.get(0));
            Path wal = volume(dir, client, CLAIMS.get(1));
            assertThat(Files.isSymbolicLink(data.resolve("pgdata/pg_wal"))).isTrue();
            assertThat(Files.readSymbolicLink(data.resolve("pgdata/pg_wal"))).isEqualTo(Path.of(DemoDatabase.WALDIR));
            assertThat(walSegments(wal)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(walSegments(data)).isEmpty();

            // cordoned, its node cannot take the pod back: the replacement starts elsewhere
            String firstNode = first.getSpec().getNodeName();
            cordon(client, firstNode, true);
            client.pods().inNamespace(NS).withName(POD).delete();
            Pod moved = awaitReady(sandbox, first.getMetadata().getUid());
            assertThat(moved.getSpec().getNodeName()).isNotEqualTo(firstNode);
            assertThat(count(sandbox)).isEqualTo(100);
            cordon(client, firstNode, false);

            sql(sandbox, "CHECKPOINT");
            var snapshots = client.genericKubernetesResources(API, "VolumeSnapshot");
            for (String claim : CLAIMS) {
                snapshots.inNamespace(NS).resource(new GenericKubernetesResourceBuilder().withApiVersion(API)
                        .withKind("VolumeSnapshot").withNewMetadata().withName(claim).withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("volumeSnapshotClassName",
                                StorageNames.SNAPSHOT_CLASS, "source", Map.of("persistentVolumeClaimName", claim))))
                        .build()).create();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> CLAIMS.stream()
                    .allMatch(c -> readyToUse(snapshots.inNamespace(NS).withName(c).get())));
            sql(sandbox, "INSERT INTO t SELECT generate_series(101, 150)");
            assertThat(count(sandbox)).isEqualTo(150);

            client.apps().statefulSets().inNamespace(NS).withName(NAME).scale(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NS).withName(POD).get() == null);
            for (String claim : CLAIMS) {
                client.persistentVolumeClaims().inNamespace(NS).withName(claim).delete();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> CLAIMS.stream()
                    .allMatch(c -> client.persistentVolumeClaims().inNamespace(NS).withName(c).get() == null));
            for (String claim : CLAIMS) {
                client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata().withName(claim).withNamespace(NS).endMetadata()
                        .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS)
                        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                        .withNewDataSource().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                        .withName(claim).endDataSource().endSpec().build()).create();
            }
            client.apps().statefulSets().inNamespace(NS).withName(NAME).scale(1);

            awaitReady(sandbox, moved.getMetadata().getUid());
            assertThat(count(sandbox)).isEqualTo(100);
            Path restoredWal = volume(dir, client, CLAIMS.get(1));
            assertThat(restoredWal).isNotEqualTo(wal);
            assertThat(walSegments(restoredWal)).isNotEmpty();
            assertThat(walSegments(volume(dir, client, CLAIMS.get(0)))).isEmpty();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The claim's volume directory on the machine: dataDir/volumes/<CSI volume handle>. */
    private static Path volume(Path dataDir, KubernetesClient client, String claim) {
        String pv = client.persistentVolumeClaims().inNamespace(NS).withName(claim).get().getSpec().getVolumeName();
        return dataDir.resolve("volumes")
                .resolve(client.persistentVolumes().withName(pv).get().getSpec().getCsi().getVolumeHandle());
    }

    /** WAL segment files (24 hexadecimal digits) anywhere in a volume, symlinks not followed. */
    private static List<Path> walSegments(Path volume) throws Exception {
        try (Stream<Path> files = Files.walk(volume)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().matches("[0-9A-F]{24}")).toList();
        }
    }

    private static void cordon(KubernetesClient client, String node, boolean unschedulable) {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"unschedulable\":" + unschedulable + "}}");
    }

    /** Waits until the pod (another one than {@code notUid}) is Ready and its Service answers. */
    private static Pod awaitReady(Sandbox sandbox, String notUid) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            Pod p = sandbox.client().pods().inNamespace(NS).withName(POD).get();
            return p != null && !p.getMetadata().getUid().equals(notUid) && DemoCluster.isReady(p) && count(sandbox) >= 0;
        });
        return sandbox.client().pods().inNamespace(NS).withName(POD).get();
    }

    private static Connection connect(Sandbox sandbox) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + sandbox.servicePort(NS, NAME).orElseThrow(() -> new SQLException("no Service port yet")) + "/postgres", props);
    }

    private static void sql(Sandbox sandbox, String sql) throws SQLException {
        try (Connection c = connect(sandbox)) {
            c.createStatement().execute(sql);
        }
    }

    private static long count(Sandbox sandbox) throws SQLException {
        try (Connection c = connect(sandbox); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_class WHERE relname = 't'")) {
            rs.next();
            if (rs.getLong(1) == 0) {
                return 0;
            }
        }
        try (Connection c = connect(sandbox); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean readyToUse(GenericKubernetesResource snapshot) {
        return snapshot != null && snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && Boolean.TRUE.equals(status.get("readyToUse"));
    }
}
