package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.record.InvariantRecorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pod force-deleted while its node was away is stopped by the kubelet when it is back as any container is: the
 * stop signal (SIGINT for the postgres image), then SIGKILL once the pod's terminationGracePeriodSeconds is over.
 */
class ForceDeletedPodIsStoppedLikeTheKubeletIT {

    @Test
    void aServerThatIgnoresTheStopSignalIsKilledOnlyAfterTheGracePeriod() throws Exception {
        SandboxConfig config = SandboxConfig.fast();
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            String volume = cluster.writers().get(0).volume();
            cluster.sandbox.faults().partition(node);
            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).withGracePeriod(0).delete();
            // A server that cannot act on SIGINT (stopped, as a hung process) must still be gone after the grace.
            cluster.sandbox.faults().node(node).orElseThrow().postgresOn(volume).forEach(p -> p.freeze(true));

            Instant healed = Instant.now();
            cluster.sandbox.faults().heal(node);
            Duration grace = config.scaled(Duration.ofSeconds(DemoDatabase.TERMINATION_GRACE_SECONDS));
            await().during(grace.multipliedBy(8).dividedBy(10)).atMost(grace)
                    .until(() -> zombie(cluster, node).end().isEmpty());
            await().atMost(grace.plusSeconds(10)).until(() -> zombie(cluster, node).end().isPresent());
            assertThat(Duration.between(healed, zombie(cluster, node).end().orElseThrow())).isGreaterThanOrEqualTo(grace);
            assertThat(cluster.serverLog(node, DemoCluster.POD)).doesNotContain("received fast shutdown request");
        }
    }

    private static InvariantRecorder.Writer zombie(DemoCluster cluster, String node) {
        return cluster.writers().stream().filter(w -> w.node().equals(node)).findFirst().orElseThrow();
    }
}
