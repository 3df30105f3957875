package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VolumeBindingTest {

    private static PersistentVolumeClaim claim(String size) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("default").withName("data")
                .withUid("claim-uid").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
    }

    private static PersistentVolumeBuilder volume(String name, String size, String phase) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").addToCapacity("storage", new Quantity(size))
                .withStorageClassName("sandbox-rbd").withPersistentVolumeReclaimPolicy("Retain").endSpec()
                .withNewStatus().withPhase(phase).endStatus();
    }

    @Test
    void theSmallestAvailableVolumeThatFitsIsChosen() {
        List<PersistentVolume> volumes = List.of(volume("big", "10Gi", "Available").build(),
                volume("small", "1Gi", "Available").build(), volume("tiny", "100Mi", "Available").build(),
                volume("released", "1Gi", "Released").build());
        assertThat(VolumeBinding.bestMatch(claim("1Gi"), volumes)).map(v -> v.getMetadata().getName()).contains("small");
    }

    @Test
    void aReleasedVolumeOrOneOfAnotherClassDoesNotMatch() {
        PersistentVolume otherClass = volume("other", "1Gi", "Available").editSpec().withStorageClassName("slow")
                .endSpec().build();
        assertThat(VolumeBinding.bestMatch(claim("1Gi"), List.of(volume("released", "1Gi", "Released").build(),
                otherClass))).isEmpty();
    }

    @Test
    void aVolumeReservedForTheClaimByNameWinsAndAnotherClaimsVolumeIsNotTaken() {
        PersistentVolume reserved = volume("reserved", "5Gi", "Available").editSpec().withNewClaimRef()
                .withNamespace("default").withName("data").endClaimRef().endSpec().build();
        PersistentVolume taken = volume("taken", "1Gi", "Bound").editSpec().withNewClaimRef()
                .withNamespace("default").withName("other").withUid("other-uid").endClaimRef().endSpec().build();
        assertThat(VolumeBinding.bestMatch(claim("1Gi"), List.of(taken, reserved)))
                .map(v -> v.getMetadata().getName()).contains("reserved");
        assertThat(VolumeBinding.reservedFor(taken, claim("1Gi"))).isFalse();
        assertThat(VolumeBinding.reservedFor(volume("free", "1Gi", "Available").build(), claim("1Gi"))).isTrue();
    }

    @Test
    void dataSourceRefIsHonoredLikeDataSource() {
        PersistentVolumeClaim viaRef = new PersistentVolumeClaimBuilder(claim("1Gi")).editSpec().withNewDataSourceRef()
                .withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot").withName("snap").endDataSourceRef()
                .endSpec().build();
        assertThat(VolumeBinding.dataSource(viaRef)).contains(
                new VolumeBinding.DataSource("snapshot.storage.k8s.io", "VolumeSnapshot", "snap"));
        assertThat(VolumeBinding.dataSource(claim("1Gi"))).isEmpty();
    }
}
