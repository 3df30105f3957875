package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.record.InvariantRecorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partitioned kubelet goes on running its pods from the specs it has: a crashed PostgreSQL is restarted there,
 * but the API server hears nothing of it until the partition heals, when the kubelet posts the status again.
 */
class PartitionedKubeletKeepsRunningPodsIT {

    @Test
    void crashedContainerIsRestartedDuringThePartitionAndReportedAfter() throws Exception {
        // Tolerations beyond the test: the pod must not be evicted while its node is away.
        SandboxConfig config = SandboxConfig.fast().withTimings(Timings.real().withPodEvictionToleration(
                Duration.ofHours(2)));
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            String node = before.getSpec().getNodeName();

            cluster.sandbox.faults().partition(node);
            cluster.sandbox.faults().killPod(DemoCluster.NS, DemoCluster.POD);

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<InvariantRecorder.Writer> writers = writersOn(cluster, node);
                return writers.size() == 2 && writers.get(0).end().isPresent() && writers.get(1).end().isEmpty();
            });
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> restarts(cluster.pod()) == 0);

            cluster.sandbox.faults().heal(node);
            await().atMost(Duration.ofSeconds(20)).until(() -> restarts(cluster.pod()) == 1);
            Pod after = cluster.awaitReady();
            assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
            assertThat(cluster.count("t")).isEqualTo(1);
        }
    }

    private static List<InvariantRecorder.Writer> writersOn(DemoCluster cluster, String node) {
        return cluster.sandbox.invariants().writers().stream().filter(w -> w.node().equals(node)).toList();
    }

    private static int restarts(Pod pod) {
        return pod.getStatus().getContainerStatuses().get(0).getRestartCount();
    }
}
