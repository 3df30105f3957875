package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.record.Timeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The out-of-service taint with the NoSchedule effect evicts nothing: the pod on the lost node waits out its
 * unreachable toleration, the taint-eviction controller then marks it Terminating, and only then does the pod GC
 * force-delete it (gcTerminating), after marking it Failed.
 */
class OutOfServiceNoScheduleWaitsForTolerationIT {

    @Test
    void podIsForceDeletedOnlyAfterItsUnreachableToleration() {
        SandboxConfig config = SandboxConfig.fast().withTimings(Timings.real()
                .withPodEvictionToleration(Duration.ofSeconds(150)));
        try (Sandbox sandbox = PlainPods.start(config)) {
            var client = sandbox.client();
            String node = PlainPods.runReady(client, "sleeper").getSpec().getNodeName();
            sandbox.faults().powerOff(node);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    PlainPods.hasTaint(client, node, Names.TAINT_UNREACHABLE, "NoExecute"));

            NodeTaints.outOfService(client, node, "NoSchedule");
            await().atMost(Duration.ofSeconds(30)).until(() -> PlainPods.get(client, "sleeper") == null);

            Instant tainted = at(sandbox, "Tainted " + Names.TAINT_UNREACHABLE + ":NoExecute");
            Instant terminating = at(sandbox, "Terminating (taint eviction)");
            Instant deleted = at(sandbox, "ForceDeleted by pod GC (terminating on out-of-service node");
            assertThat(Duration.between(tainted, terminating)).isGreaterThanOrEqualTo(config.podEvictionToleration());
            assertThat(deleted).isAfterOrEqualTo(terminating);
        }
    }

    private static Instant at(Sandbox sandbox, String statePrefix) {
        return sandbox.timeline().entries().stream().filter(e -> e.state().startsWith(statePrefix))
                .map(Timeline.Entry::at).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + statePrefix + "' in " + sandbox.timeline().entries()));
    }
}
