package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore in place by retain-and-rebind: the volume's reclaim policy set to Retain, the claim deleted, the PV
 * Released with its image kept; a new claim binds it once its claimRef is cleared, and a static PV created by hand on
 * the same volume handle binds too; both see the same rows.
 */
class RetainAndRebindRestoreKeepsRowsIT {
    private static final String CLAIM = "data-" + DemoDatabase.NAME + "-0";

    @Test
    void aRetainedVolumeRebindsToANewClaimAndAStaticVolumeOnItsHandleToo() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod first = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 70)");
            String pv = claim(cluster).getSpec().getVolumeName();
            PersistentVolume volume = cluster.client.persistentVolumes().withName(pv).get();
            String handle = volume.getSpec().getCsi().getVolumeHandle();
            assertThat(handle).matches("0001-0009-rook-ceph-0000000000000002-[0-9a-f-]{36}");
            assertThat(volume.getSpec().getCsi().getVolumeAttributes())
                    .containsEntry("imageName", "csi-vol-" + handle.substring(handle.length() - 36))
                    .containsEntry("pool", StorageNames.POOL).containsEntry("clusterID", StorageNames.CLUSTER_ID);
            cluster.client.persistentVolumes().withName(pv).edit(v -> {
                v.getSpec().setPersistentVolumeReclaimPolicy("Retain");
                return v;
            });

            Pod second = releaseAndRebind(cluster, first, () -> {
                cluster.client.persistentVolumes().withName(pv).edit(v -> {
                    v.getSpec().setClaimRef(null);
                    return v;
                });
                await("Available once its claimRef is cleared").atMost(Duration.ofSeconds(10)).until(() -> "Available"
                        .equals(cluster.client.persistentVolumes().withName(pv).get().getStatus().getPhase()));
            });
            assertThat(claim(cluster).getSpec().getVolumeName()).isEqualTo(pv);
            assertThat(cluster.count("t")).isEqualTo(70);
            cluster.sql("INSERT INTO t SELECT generate_series(71, 80)");

            releaseAndRebind(cluster, second, () -> {
                cluster.client.persistentVolumes().withName(pv).delete();
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.client.persistentVolumes().withName(pv).get() == null);
                cluster.client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata()
                        .withName("restored-by-hand").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                        .addToCapacity("storage", new Quantity("1Gi")).withStorageClassName(StorageNames.STORAGE_CLASS)
                        .withPersistentVolumeReclaimPolicy("Retain").withNewCsi().withDriver(StorageNames.CSI_DRIVER)
                        .withVolumeHandle(handle).endCsi().withNewClaimRef().withNamespace(DemoCluster.NS)
                        .withName(CLAIM).endClaimRef().endSpec().build()).create();
            });
            assertThat(claim(cluster).getSpec().getVolumeName()).isEqualTo("restored-by-hand");
            assertThat(cluster.count("t")).isEqualTo(80);
        }
    }

    /** Scale to 0, delete the claim, wait for the PV to be Released, prepare it, create the claim again, scale to 1. */
    private static Pod releaseAndRebind(DemoCluster cluster, Pod before, Runnable prepare) {
        String pv = claim(cluster).getSpec().getVolumeName();
        cluster.scale(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.pod() == null);
        cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).withName(CLAIM).delete();
        await("Released, kept by Retain").atMost(Duration.ofSeconds(10)).until(() -> {
            PersistentVolume v = cluster.client.persistentVolumes().withName(pv).get();
            return v != null && v.getStatus() != null && "Released".equals(v.getStatus().getPhase());
        });
        prepare.run();
        cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(CLAIM).withNamespace(DemoCluster.NS).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(StorageNames.STORAGE_CLASS)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build())
                .create();
        cluster.scale(1);
        return cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
    }

    private static io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim(DemoCluster cluster) {
        return cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).withName(CLAIM).get();
    }
}
