package io.pgwarden.sandbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deleting a lost node's Node object does not free its pods at once: the pod GC waits quarantineTime (40 s) before it
 * believes the node is gone, then marks the pods Failed and force-deletes them.
 */
class DeletedNodeIsNoInstantFailoverIT {

    @Test
    void podsOfADeletedNodeGoOnlyAfterTheQuarantine() {
        SandboxConfig config = SandboxConfig.fast();
        try (Sandbox sandbox = PlainPods.start(config)) {
            var client = sandbox.client();
            String node = PlainPods.runReady(client, "sleeper").getSpec().getNodeName();

            sandbox.faults().removeNode(node);
            Duration quarantine = config.scaled(config.timings().podGcQuarantine());
            await().during(quarantine.minusMillis(200)).atMost(quarantine.plusSeconds(2))
                    .until(() -> PlainPods.get(client, "sleeper") != null);
            await().atMost(Duration.ofSeconds(10)).until(() -> PlainPods.get(client, "sleeper") == null);
            assertThat(sandbox.timeline().entries())
                    .anyMatch(e -> e.state().equals("ForceDeleted by pod GC (node " + node + " no longer exists)"));
        }
    }
}
