package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenario 4, drain: cordon and evict move the pod to another node; the node stays unschedulable until uncordoned. */
class DrainMovesPodToAnotherNodeIT {

    @Test
    void drainedPodMovesAndNodeStaysCordoned() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 10)");
            String node = before.getSpec().getNodeName();

            // kubectl cordon's request: a strategic merge patch of spec.unschedulable.
            cluster.client.nodes().withName(node).patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"unschedulable\":true}}");
            assertThat(cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).evict()).isTrue();

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(10);
            assertThat(cluster.node(node).getSpec().getUnschedulable()).isTrue();

            cluster.client.nodes().withName(node).patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"unschedulable\":null}}");
            assertThat(cluster.node(node).getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        }
    }
}
