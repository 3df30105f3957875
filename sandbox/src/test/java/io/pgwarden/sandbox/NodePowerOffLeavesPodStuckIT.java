package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 2, node failure: the pod's node loses power; the node goes NotReady, the taint-eviction controller marks
 * the pod Terminating, and nothing confirms the deletion. The volume stays attached to the dead node: the
 * attach/detach controller starts its maxWaitForUnmountDuration timer only once no pod on the node needs the volume,
 * and the Terminating pod object still does, so there is no force detach however long one waits. After power-on the
 * kubelet confirms the deletion and the replacement comes back with its data (on whichever node the scheduler
 * picks).
 */
class NodePowerOffLeavesPodStuckIT {

    @Test
    void podStaysStuckWithItsVolumeOnPoweredOffNodeUntilPowerOn() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 10)");
            String node = before.getSpec().getNodeName();

            cluster.sandbox.faults().powerOff(node);

            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));
            // The controller taints in its next pass after it marks the node Unknown, as node_lifecycle_controller does.
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(node).getSpec().getTaints() != null
                    && cluster.node(node).getSpec().getTaints().stream()
                    .anyMatch(t -> t.getKey().equals(Names.TAINT_UNREACHABLE) && t.getEffect().equals("NoExecute")));
            await().atMost(Duration.ofSeconds(20)).until(() -> !DemoCluster.isReady(cluster.pod()));
            // Evicted once its 300 s toleration (scaled) has passed.
            await().atMost(Duration.ofSeconds(40)).until(() -> cluster.isTerminating(cluster.pod()));
            String volume = cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS)
                    .withName("data-" + DemoCluster.POD).get().getSpec().getVolumeName();
            // Longer than maxWaitForUnmountDuration: the pod object still needs the volume, so the timer never starts.
            Duration pastForceDetach = SandboxConfig.fast().forceDetachTimeout().plusSeconds(2);
            await().during(pastForceDetach).atMost(pastForceDetach.plusSeconds(10)).until(() -> {
                Pod p = cluster.pod();
                return p.getMetadata().getUid().equals(before.getMetadata().getUid()) && cluster.isTerminating(p)
                        && node.equals(p.getSpec().getNodeName()) && attachedTo(cluster, volume).contains(node);
            });
            assertThat(cluster.sandbox.timeline().entries()).noneMatch(e -> e.state().startsWith("Detached from"));

            cluster.sandbox.faults().powerOn(node);

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(cluster.count("t")).isEqualTo(10);
            assertThat(cluster.writers()).extracting(w -> w.podUid())
                    .contains(before.getMetadata().getUid(), after.getMetadata().getUid());
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }

    private static java.util.List<String> attachedTo(DemoCluster cluster, String volume) {
        return cluster.client.storage().v1().volumeAttachments().list().getItems().stream()
                .filter(a -> volume.equals(a.getSpec().getSource().getPersistentVolumeName()))
                .map(a -> a.getSpec().getNodeName()).toList();
    }
}
