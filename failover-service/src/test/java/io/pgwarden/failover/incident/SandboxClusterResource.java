package io.pgwarden.failover.incident;

import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * The sandbox cluster (fast timings) as the service's Kubernetes, with the settings the local run gives it there
 * (Redfish for every node, the databases reached at the sandbox's Service ports) and the incident's limits scaled to
 * seconds. The sandbox annotates each node with its BMC's Redfish system URL, as an administrator would.
 */
public class SandboxClusterResource implements QuarkusTestResourceLifecycleManager {
    private static volatile Sandbox running;

    /** The sandbox of the running test. */
    public static Sandbox sandbox() {
        return running;
    }

    /** The Redfish system URL of the node's BMC in the sandbox, as the sandbox annotates the node with it. */
    public static String bmcAddress(String node) {
        return running.httpApiUrl() + "/redfish/v1/Systems/" + node;
    }

    @Override
    public Map<String, String> start() {
        Sandbox sandbox;
        try {
            sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(Files.createTempDirectory("node-incident-it")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = sandbox;
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", sandbox.apiServerUrl());
        config.put("quarkus.kubernetes-client.namespace", "default");
        config.put("pgwarden.failover.fence.driver", "redfish");
        config.put("pgwarden.failover.database-address", "sandbox");
        config.put("pgwarden.failover.sandbox-url", sandbox.httpApiUrl());
        // Long enough to see an incident wait in suspected; a BMC's PowerState Off confirms at once anyway.
        config.put("pgwarden.failover.incident.confirm-after", "8s");
        config.put("pgwarden.failover.incident.fence-timeout", "2s");
        config.put("pgwarden.failover.incident.fence-attempts", "3");
        config.put("pgwarden.failover.incident.release-timeout", "30s");
        config.put("pgwarden.failover.incident.recovery-timeout", "60s");
        // Every scenario fences; the rate limit is not what these tests are about.
        config.put("pgwarden.failover.incident.fence-rate-max", "20");
        // The test's stand-in for node-watcher publishes a snapshot every second.
        config.put("pgwarden.failover.incident.watcher-snapshot-interval", "2s");
        config.put("pgwarden.failover.incident.poll", "200ms");
        return config;
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
