package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RbdImageTest {

    private static PersistentVolume csi(Map<String, String> attributes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName("pvc-1").endMetadata().withNewSpec().withNewCsi()
                .withDriver("rook-ceph.rbd.csi.ceph.com").withVolumeHandle("0001-0009-rook-ceph-0000000000000002-x")
                .withVolumeAttributes(attributes).endCsi().endSpec().build();
    }

    @Test
    void theImageComesFromCephCsisVolumeAttributes() {
        RbdImage image = RbdImage.of(csi(Map.of("clusterID", "rook-ceph", "pool", "replicapool",
                "imageName", "csi-vol-0a1b", "journalPool", "replicapool")), "rook-ceph");

        assertThat(image.spec()).isEqualTo("replicapool/csi-vol-0a1b");
        assertThat(RbdImage.of(csi(Map.of("pool", "replicapool", "radosNamespace", "tenant-a",
                "imageName", "csi-vol-0a1b")), "rook-ceph").spec()).isEqualTo("replicapool/tenant-a/csi-vol-0a1b");
    }

    @Test
    void aVolumeWithoutPoolAndImageNameIsRefusedSayingSo() {
        assertThatThrownBy(() -> RbdImage.of(csi(Map.of("clusterID", "rook-ceph")), "rook-ceph"))
                .isInstanceOf(RbdImage.NotAnRbdVolume.class)
                .hasMessageContaining("PV pvc-1").hasMessageContaining("no CSI volumeAttributes pool and imageName")
                .hasMessageContaining("use the csi driver");
        PersistentVolume hostPath = new PersistentVolumeBuilder().withNewMetadata().withName("pv-local").endMetadata()
                .withNewSpec().withNewHostPath("/data", "").endSpec().build();
        assertThatThrownBy(() -> RbdImage.of(hostPath, "rook-ceph")).hasMessageContaining("PV pv-local is not a CSI volume");
    }

    @Test
    void aVolumeOfAnotherCephClusterIsRefused() {
        assertThatThrownBy(() -> RbdImage.of(csi(Map.of("clusterID", "other", "pool", "p", "imageName", "i")), "rook-ceph"))
                .hasMessageContaining("on Ceph cluster other");
    }
}
