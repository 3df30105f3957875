package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 3, the manual fix: force-delete the pod stuck on a powered-off node. The replacement is scheduled on a
 * Ready node but its ReadWriteOnce volume stays attached to the dead node until the force-detach timeout, or until
 * the node is tainted out-of-service (non-graceful node shutdown).
 */
class ForceDeleteWaitsForVolumeDetachIT {

    @Test
    void replacementStartsOnlyAfterTheForceDetachTimeout() throws Exception {
        SandboxConfig config = SandboxConfig.fast();
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 10)");
            String node = before.getSpec().getNodeName();
            cluster.sandbox.faults().powerOff(node);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));

            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).withGracePeriod(0).delete();

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Pod p = cluster.pod();
                return p != null && p.getSpec().getNodeName() != null && !node.equals(p.getSpec().getNodeName());
            });
            // Multi-Attach: scheduled elsewhere, but not running while the volume is still attached to the dead node.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6))
                    .until(() -> !DemoCluster.isReady(cluster.pod()));
            assertThat(cluster.client.v1().events().inNamespace(DemoCluster.NS).list().getItems())
                    .anyMatch(e -> e.getMessage().startsWith("Multi-Attach error"));

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(10);
            assertThat(cluster.sandbox.timeline().entries())
                    .anyMatch(e -> e.state().contains("force detach after maxWaitForUnmountDuration"));
        }
    }

    @Test
    void outOfServiceTaintDetachesAtOnce() throws Exception {
        // Tolerations far beyond the test, so only the taint can move the pod.
        SandboxConfig config = SandboxConfig.fast().withTimings(Timings.real().withPodEvictionToleration(
                Duration.ofHours(2)).withForceDetachTimeout(Duration.ofHours(2)));
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 10)");
            String node = before.getSpec().getNodeName();
            cluster.sandbox.faults().powerOff(node);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));

            NodeTaints.outOfService(cluster.client, node, "NoExecute");

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(10);
            assertThat(cluster.sandbox.timeline().entries())
                    .anyMatch(e -> e.state().contains("out-of-service taint"));
        }
    }
}
