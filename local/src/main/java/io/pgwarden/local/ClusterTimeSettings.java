package io.pgwarden.local;

import io.pgwarden.sandbox.SandboxConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' settings that count in the cluster's time, given to them scaled as the sandbox scales its own
 * durations, so a fast sandbox keeps the real order of events between the cluster and pgwarden. Real values are the
 * services' defaults, or what the launcher's environment sets (a real-time value, e.g. the tuned variant's shorter
 * lease threshold), scaled alike. Settings that count in the services' own time (the leader Lease of the services,
 * the engine's retries) stay real: scaled 25 times they would ask 2 cores for renewals every 80 ms.
 */
final class ClusterTimeSettings {
    /** node-watcher's full snapshot of node and pod health, the period a late consumer converges within. */
    static final Duration WATCHER_SNAPSHOT_INTERVAL = Duration.ofSeconds(60);
    /**
     * node-watcher's lease threshold: 1.5 renew intervals of a kubelet renewing every 10 s. Always given in a fast
     * sandbox: its kubelets renew every scaled 10 s but their Leases say 40 s (an integer of seconds cannot say
     * 1.6), so the threshold node-watcher would derive from them would be 37 renew intervals.
     */
    static final Duration WATCHER_LEASE_STALE_AFTER = Duration.ofSeconds(15);
    /** node-watcher's re-judging of every node. */
    static final Duration WATCHER_LIVENESS_CHECK_INTERVAL = Duration.ofSeconds(1);
    /**
     * node-watcher's reading of the BMCs {@code PGWARDEN_WATCHER_POWER_POLL} names (a mode, given as it is: not a
     * time).
     */
    static final Duration WATCHER_POWER_POLL_INTERVAL = Duration.ofSeconds(5);
    /** node-watcher's question whether the API server answers. */
    static final Duration WATCHER_API_CHECK_INTERVAL = Duration.ofSeconds(2);

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    /**
     * failover-service's incident limits, in the cluster's time (defaults of {@code IncidentConfig} and
     * {@code UnfenceConfig}). The poll while waiting on a fence, a detach or a pod is not scaled below 100 ms.
     */
    static final Map<String, Duration> FAILOVER = Map.of(
            "PGWARDEN_FAILOVER_INCIDENT_CONFIRM_AFTER", Duration.ofSeconds(5),
            "PGWARDEN_FAILOVER_INCIDENT_STORM_SETTLE", Duration.ofSeconds(12),
            "PGWARDEN_FAILOVER_INCIDENT_FENCE_TIMEOUT", Duration.ofSeconds(30),
            "PGWARDEN_FAILOVER_INCIDENT_RELEASE_TIMEOUT", Duration.ofMinutes(2),
            "PGWARDEN_FAILOVER_INCIDENT_RECOVERY_TIMEOUT", Duration.ofMinutes(10),
            "PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_WINDOW", Duration.ofMinutes(10),
            "PGWARDEN_FAILOVER_UNFENCE_HEALTHY_FOR", Duration.ofSeconds(30));
    static final Duration MIN_POLL = Duration.ofMillis(100);

    private ClusterTimeSettings() {
    }

    static Map<String, String> environment(SandboxConfig sandbox) {
        return environment(sandbox, System.getenv());
    }

    /** @param given the launcher's environment: a setting it names is scaled from its value instead of the default */
    static Map<String, String> environment(SandboxConfig sandbox, Map<String, String> given) {
        Map<String, String> env = new LinkedHashMap<>();
        if (sandbox.timeScale() != 1) {
            scaled(env, given, sandbox, "PGWARDEN_WATCHER_SNAPSHOT_INTERVAL", WATCHER_SNAPSHOT_INTERVAL);
            scaled(env, given, sandbox, "PGWARDEN_WATCHER_LEASE_STALE_AFTER", WATCHER_LEASE_STALE_AFTER);
            scaled(env, given, sandbox, "PGWARDEN_WATCHER_LIVENESS_CHECK_INTERVAL", WATCHER_LIVENESS_CHECK_INTERVAL);
            scaled(env, given, sandbox, "PGWARDEN_WATCHER_POWER_POLL_INTERVAL", WATCHER_POWER_POLL_INTERVAL);
            scaled(env, given, sandbox, "PGWARDEN_WATCHER_API_CHECK_INTERVAL", WATCHER_API_CHECK_INTERVAL);
            FAILOVER.forEach((name, real) -> scaled(env, given, sandbox, name, real));
            // node-watcher's snapshot interval, as failover-service must know it
            env.put("PGWARDEN_FAILOVER_INCIDENT_WATCHER_SNAPSHOT_INTERVAL", env.get("PGWARDEN_WATCHER_SNAPSHOT_INTERVAL"));
            Duration poll = sandbox.scaled(Duration.ofMillis(500));
            env.put("PGWARDEN_FAILOVER_INCIDENT_POLL", (poll.compareTo(MIN_POLL) < 0 ? MIN_POLL : poll).toString());
        }
        return env;
    }

    private static void scaled(Map<String, String> env, Map<String, String> given, SandboxConfig sandbox, String name,
                               Duration real) {
        String set = given.get(name);
        env.put(name, sandbox.scaled(set == null || set.isBlank() ? real : parse(name, set.trim())).toString());
    }

    /** As Quarkus reads a duration: ISO-8601 ({@code PT15S}), or a number with ms, s, m or h (seconds without). */
    static Duration parse(String name, String value) {
        if (value.toUpperCase(Locale.ROOT).startsWith("P")) {
            return Duration.parse(value);
        }
        Matcher m = SIMPLE_DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + "=" + value + " is not a duration (15s, 1500ms, PT15S)");
        }
        double amount = Double.parseDouble(m.group(1));
        long millisPerUnit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        };
        return Duration.ofNanos(Math.round(amount * millisPerUnit * 1_000_000));
    }
}
