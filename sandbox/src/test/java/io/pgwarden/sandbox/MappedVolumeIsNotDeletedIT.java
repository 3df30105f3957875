package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ceph-csi's DeleteVolume refuses an image a node still maps: a partitioned node keeps its pod's volume mapped after
 * the pod is force-deleted and the volume force-detached (out-of-service taint); the claim deleted, the PV stays
 * Released with a VolumeFailedDelete event until the node heals, kills the pod and unmaps the image.
 */
class MappedVolumeIsNotDeletedIT {

    @Test
    void aVolumeAPartitionedNodeStillMapsIsDeletedOnlyOnceUnmapped() throws Exception {
        Path dir = Files.createTempDirectory("sandbox-it");
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(dir))) {
            KubernetesClient client = sandbox.client();
            client.persistentVolumeClaims().inNamespace("default").resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                    .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build())
                    .create();
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("user").endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("busybox").addNewVolumeMount()
                    .withName("data").withMountPath("/data").endVolumeMount().endContainer().addNewVolume()
                    .withName("data").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim()
                    .endVolume().endSpec().build()).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> running(client.pods().inNamespace("default").withName("user").get()));
            String node = client.pods().inNamespace("default").withName("user").get().getSpec().getNodeName();
            String pv = client.persistentVolumeClaims().inNamespace("default").withName("data").get().getSpec().getVolumeName();

            sandbox.faults().partition(node);
            client.pods().inNamespace("default").withName("user").withGracePeriod(0).delete();
            client.persistentVolumeClaims().inNamespace("default").withName("data").delete();
            await().atMost(Duration.ofSeconds(15)).until(() -> "Unknown".equals(io.pgwarden.sandbox.control.ClusterView
                    .ready(client.nodes().withName(node).get()).map(c -> c.getStatus()).orElse("")));
            NodeTaints.outOfService(client, node, "NoExecute");
            await("force-detached, Released").atMost(Duration.ofSeconds(15)).until(() ->
                    client.storage().v1().volumeAttachments().list().getItems().isEmpty() && "Released".equals(phase(client, pv)));
            await("DeleteVolume refused").atMost(Duration.ofSeconds(10)).until(() -> client.v1().events()
                    .inNamespace("default").list().getItems().stream().anyMatch(e -> "VolumeFailedDelete".equals(e.getReason())
                            && e.getMessage().matches("rpc error: code = Internal desc = rbd csi-vol-[0-9a-f-]+ is still being used")));
            await("kept while mapped").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> "Released".equals(phase(client, pv)));

            sandbox.faults().heal(node);
            await("deleted once unmapped").atMost(Duration.ofSeconds(15)).until(() -> client.persistentVolumes().withName(pv).get() == null);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String phase(KubernetesClient client, String pv) {
        PersistentVolume v = client.persistentVolumes().withName(pv).get();
        return v == null || v.getStatus() == null ? null : v.getStatus().getPhase();
    }

    private static boolean running(Pod pod) {
        return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    }
}
