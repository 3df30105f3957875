package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 2, node failure: the pod's node loses power; the node goes NotReady, the pod shows Terminating and never
 * moves however long past the grace periods; after power-on it comes back on the same node with its data.
 */
class NodePowerOffLeavesPodStuckIT {

    @Test
    void podStaysStuckOnPoweredOffNodeUntilPowerOn() throws Exception {
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
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.isTerminating(cluster.pod()));
            // Past the toleration and the force-detach timeout: nothing confirms the deletion, nothing replaces it.
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(15)).until(() -> {
                Pod p = cluster.pod();
                return p.getMetadata().getUid().equals(before.getMetadata().getUid()) && cluster.isTerminating(p)
                        && node.equals(p.getSpec().getNodeName());
            });

            cluster.sandbox.faults().powerOn(node);

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(10);
            assertThat(cluster.writers()).extracting(w -> w.podUid())
                    .contains(before.getMetadata().getUid(), after.getMetadata().getUid());
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }
}
