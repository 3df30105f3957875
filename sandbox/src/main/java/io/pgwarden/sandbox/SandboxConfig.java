package io.pgwarden.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a sandbox is started. The durations default to the real cluster's (kubelet, kube-controller-manager);
 * {@link #fast()} scales them down for tests.
 *
 * @param apiPort               Kubernetes API port on 127.0.0.1 (0: any free one)
 * @param httpPort              fault-injection HTTP API port (0: any free one)
 * @param dataDir               where volumes, snapshots and PostgreSQL binaries live
 * @param nodeNames             the nodes started with the sandbox
 * @param heartbeatInterval     kubelet node lease renewal (nodeLeaseDurationSeconds/4 = 10 s in real clusters)
 * @param nodeMonitorGracePeriod lease age after which a node is Ready=Unknown (50 s since Kubernetes 1.32)
 * @param nodeMonitorPeriod     how often controllers reconcile (node-monitor-period, 5 s)
 * @param podEvictionToleration default tolerationSeconds for not-ready/unreachable taints (300 s)
 * @param forceDetachTimeout    attach/detach controller's maxWaitForUnmountDuration (6 min)
 * @param deployDemoDatabase    create the demo StatefulSet pg-rook-sf in namespace default
 * @param demoDbPort            the demo database Service's local port (0: any free one)
 */
public record SandboxConfig(int apiPort, int httpPort, Path dataDir, List<String> nodeNames,
                            Duration heartbeatInterval, Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod,
                            Duration podEvictionToleration, Duration forceDetachTimeout,
                            boolean deployDemoDatabase, int demoDbPort) {

    public static final List<String> DEFAULT_NODES = List.of("node001", "node002", "node003");

    public SandboxConfig {
        nodeNames = List.copyOf(nodeNames);
    }

    /** A real cluster's timings. */
    public static SandboxConfig defaults() {
        return new SandboxConfig(0, 0, Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-sandbox"),
                DEFAULT_NODES, Duration.ofSeconds(10), Duration.ofSeconds(50), Duration.ofSeconds(5),
                Duration.ofSeconds(300), Duration.ofMinutes(6), true, 0);
    }

    /** The same ratios, about 25 times faster, for tests; no demo database unless asked. */
    public static SandboxConfig fast() {
        return new SandboxConfig(0, 0, Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-sandbox"),
                DEFAULT_NODES, Duration.ofMillis(400), Duration.ofSeconds(2), Duration.ofMillis(200),
                Duration.ofSeconds(3), Duration.ofSeconds(6), false, 0);
    }

    public SandboxConfig withDataDir(Path dir) {
        return new SandboxConfig(apiPort, httpPort, dir, nodeNames, heartbeatInterval, nodeMonitorGracePeriod,
                nodeMonitorPeriod, podEvictionToleration, forceDetachTimeout, deployDemoDatabase, demoDbPort);
    }

    public SandboxConfig withPorts(int api, int http, int demoDb) {
        return new SandboxConfig(api, http, dataDir, nodeNames, heartbeatInterval, nodeMonitorGracePeriod,
                nodeMonitorPeriod, podEvictionToleration, forceDetachTimeout, deployDemoDatabase, demoDb);
    }

    public SandboxConfig withNodeNames(List<String> names) {
        return new SandboxConfig(apiPort, httpPort, dataDir, names, heartbeatInterval, nodeMonitorGracePeriod,
                nodeMonitorPeriod, podEvictionToleration, forceDetachTimeout, deployDemoDatabase, demoDbPort);
    }

    public SandboxConfig withDemoDatabase(boolean deploy) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, heartbeatInterval, nodeMonitorGracePeriod,
                nodeMonitorPeriod, podEvictionToleration, forceDetachTimeout, deploy, demoDbPort);
    }

    public SandboxConfig withTimings(Duration heartbeat, Duration grace, Duration monitorPeriod, Duration toleration,
                                     Duration forceDetach) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, heartbeat, grace, monitorPeriod, toleration,
                forceDetach, deployDemoDatabase, demoDbPort);
    }
}
