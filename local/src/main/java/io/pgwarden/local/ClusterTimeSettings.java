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

    /**
     * failover-service's incident limits, in the cluster's time (defaults of {@code IncidentConfig} and
     * {@code UnfenceConfig}). The poll while waiting on a fence, a detach or a pod is not scaled below 100 ms.
     */
    static final Map<String, Duration> FAILOVER = Map.of(
            "PGWARDEN_FAILOVER_INCIDENT_CONFIRM_AFTER", Duration.ofSeconds(5),
            "PGWARDEN_FAILOVER_INCIDENT_FENCE_TIMEOUT", Duration.ofSeconds(30),
            "PGWARDEN_FAILOVER_INCIDENT_RELEASE_TIMEOUT", Duration.ofMinutes(2),
            "PGWARDEN_FAILOVER_INCIDENT_RECOVERY_TIMEOUT", Duration.ofMinutes(10),
            "PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_WINDOW", Duration.ofMinutes(10),
            "PGWARDEN_FAILOVER_INCIDENT_WATCHER_SNAPSHOT_INTERVAL", WATCHER_SNAPSHOT_INTERVAL,
            "PGWARDEN_FAILOVER_UNFENCE_HEALTHY_FOR", Duration.ofSeconds(30));
    static final Duration MIN_POLL = Duration.ofMillis(100);

    private ClusterTimeSettings() {
    }

    static Map<String, String> environment(SandboxConfig sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        if (sandbox.timeScale() != 1) {
            env.put("PGWARDEN_WATCHER_SNAPSHOT_INTERVAL", sandbox.scaled(WATCHER_SNAPSHOT_INTERVAL).toString());
            FAILOVER.forEach((name, real) -> env.put(name, sandbox.scaled(real).toString()));
            Duration poll = sandbox.scaled(Duration.ofMillis(500));
            env.put("PGWARDEN_FAILOVER_INCIDENT_POLL", (poll.compareTo(MIN_POLL) < 0 ? MIN_POLL : poll).toString());
        }
        return env;
    }
}
