package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 6, snapshot and restore: rows written, a VolumeSnapshot taken, more rows written; scale to 0, swap the
 * claim for one restored from the snapshot, scale to 1: exactly the rows of the snapshot.
 */
class SnapshotRestoreBringsBackSnapshotRowsIT {
    private static final String CLAIM = "data-" + DemoDatabase.NAME + "-0";

    @Test
    void restoredClaimHoldsExactlyTheSnapshotRows() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");

            var snapshots = cluster.client.genericKubernetesResources("snapshot.storage.k8s.io/v1", "VolumeSnapshot");
            snapshots.inNamespace(DemoCluster.NS).resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshot")
                    .withNewMetadata().withName("before-more-rows").withNamespace(DemoCluster.NS).endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("volumeSnapshotClassName", StorageNames.SNAPSHOT_CLASS,
                            "source", Map.of("persistentVolumeClaimName", CLAIM)))).build()).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> readyToUse(
                    snapshots.inNamespace(DemoCluster.NS).withName("before-more-rows").get()));
            cluster.sql("INSERT INTO t SELECT generate_series(101, 150)");
            assertThat(cluster.count("t")).isEqualTo(150);

            cluster.scale(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.pod() == null);
            PersistentVolumeClaim old = cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS)
                    .withName(CLAIM).get();
            cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).withName(CLAIM).delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.client.persistentVolumeClaims()
                    .inNamespace(DemoCluster.NS).withName(CLAIM).get() == null);
            cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(CLAIM).withNamespace(DemoCluster.NS).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS)
                    .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                    .withNewDataSource().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                    .withName("before-more-rows").endDataSource().endSpec().build()).create();
            cluster.scale(1);

            cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).withName(CLAIM).get()
                    .getSpec().getVolumeName()).isNotEqualTo(old.getSpec().getVolumeName());
            assertThat(cluster.count("t")).isEqualTo(100);
            await("reclaim policy Delete removes the swapped-out volume").atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.client.persistentVolumes().withName(old.getSpec().getVolumeName()).get() == null);
        }
    }

    private static boolean readyToUse(GenericKubernetesResource snapshot) {
        return snapshot != null && snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && Boolean.TRUE.equals(status.get("readyToUse"));
    }
}
