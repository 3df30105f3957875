package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.AttachedVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.pgwarden.sandbox.StorageNames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet mounts only what the node's status says is attached. */
class VerifyControllerAttachedVolumeTest {

    private static Node node(String... attached) {
        return new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewStatus()
                .withVolumesAttached(java.util.Arrays.stream(attached)
                        .map(pv -> new AttachedVolume("", StorageNames.uniqueVolumeName(pv))).toList())
                .endStatus().build();
    }

    @Test
    void everyVolumeMustBeListedInVolumesAttached() {
        assertThat(Kubelet.attachedPerNodeStatus(node("pvc-a", "pvc-b"), List.of("pvc-a", "pvc-b"))).isTrue();
        assertThat(Kubelet.attachedPerNodeStatus(node("pvc-a"), List.of("pvc-a", "pvc-b"))).isFalse();
        assertThat(Kubelet.attachedPerNodeStatus(node(), List.of("pvc-a"))).isFalse();
        assertThat(Kubelet.attachedPerNodeStatus(new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
                .build(), List.of("pvc-a"))).isFalse();
        assertThat(Kubelet.attachedPerNodeStatus(null, List.of("pvc-a"))).isFalse();
        assertThat(Kubelet.attachedPerNodeStatus(node(), List.of())).as("a pod without volumes waits for nothing")
                .isTrue();
    }
}
