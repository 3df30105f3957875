package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When no node is Ready the node lifecycle controller blames its own connectivity (handleDisruption's full
 * disruption): it removes the unreachable NoExecute taints, taints nothing and so evicts nothing, past every
 * toleration. A detector that waits for the unreachable taint never fires then. Once a node is Ready again, tainting
 * and evictions resume.
 */
class FullDisruptionStopsEvictionsIT {
    private static final List<String> NODES = SandboxConfig.DEFAULT_NODES;

    @Test
    void noNodeReadyMeansNoTaintAndNoEviction() {
        SandboxConfig config = SandboxConfig.fast().withTimings(Timings.real()
                .withPodEvictionToleration(Duration.ofSeconds(120)));
        try (Sandbox sandbox = PlainPods.start(config)) {
            var client = sandbox.client();
            Pod pod = PlainPods.runReady(client, "sleeper");
            String node = pod.getSpec().getNodeName();

            NODES.forEach(sandbox.faults()::partition);
            await().atMost(Duration.ofSeconds(20)).until(() -> NODES.stream().allMatch(n -> "Unknown".equals(
                    io.pgwarden.sandbox.control.ClusterView.ready(client.nodes().withName(n).get()).orElseThrow()
                            .getStatus())));
            await().atMost(Duration.ofSeconds(10)).until(() -> noUnreachableTaint(sandbox));

            // Past the pod's toleration (120 s, scaled): still no taint, and the pod is not evicted.
            Duration pastToleration = config.podEvictionToleration().plusSeconds(2);
            await().during(pastToleration).atMost(pastToleration.plusSeconds(5)).until(() -> noUnreachableTaint(sandbox)
                    && PlainPods.get(client, "sleeper").getMetadata().getDeletionTimestamp() == null);

            String other = NODES.stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
            sandbox.faults().heal(other);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    PlainPods.hasTaint(client, node, Names.TAINT_UNREACHABLE, "NoExecute"));
            await().atMost(pastToleration.plusSeconds(20)).until(() ->
                    PlainPods.get(client, "sleeper").getMetadata().getDeletionTimestamp() != null);
            assertThat(sandbox.timeline().entries()).anyMatch(e -> e.state().startsWith("FullDisruption"));
        }
    }

    private static boolean noUnreachableTaint(Sandbox sandbox) {
        return NODES.stream().noneMatch(n -> PlainPods.hasTaint(sandbox.client(), n, Names.TAINT_UNREACHABLE,
                "NoExecute"));
    }
}
