package io.pgwarden.local;

import io.pgwarden.sandbox.SandboxConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The services' settings that count in the cluster's time, given to them scaled as the sandbox scales its own
 * durations, so a fast sandbox keeps the real order of events between the cluster and pgwarden. Real values are the
 * services' defaults. Settings that count in the services' own time (the leader Lease of the services, the engine's
 * retries) stay real: scaled 25 times they would ask 2 cores for renewals every 80 ms.
 */
final class ClusterTimeSettings {
    /** node-watcher's full snapshot of node and pod health, the period a late consumer converges within. */
    static final Duration WATCHER_SNAPSHOT_INTERVAL = Duration.ofSeconds(60);

    private ClusterTimeSettings() {
    }

    static Map<String, String> environment(SandboxConfig sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        if (sandbox.timeScale() != 1) {
            env.put("PGWARDEN_WATCHER_SNAPSHOT_INTERVAL", sandbox.scaled(WATCHER_SNAPSHOT_INTERVAL).toString());
        }
        return env;
    }
}
