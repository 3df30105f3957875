package io.pgwarden.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a sandbox is started. Durations are a real cluster's ({@link Timings}); {@code timeScale} shortens every one
 * of them by the same factor, the kubelet's restart back-off and a pod's termination grace included, so a test
 * sees the real order of events faster. Benchmarks run at scale 1.
 *
 * @param apiPort            Kubernetes API port on 127.0.0.1 (0: any free one)
 * @param httpPort           fault-injection HTTP API port (0: any free one)
 * @param dataDir            where volumes, snapshots and PostgreSQL logs live
 * @param nodeNames          the nodes started with the sandbox
 * @param timings            every duration, at real values
 * @param timeScale          the factor applied to every duration (1: real time; {@link #FAST_SCALE} in tests)
 * @param deployDemoDatabase create the demo StatefulSet pg-rook-sf in namespace default
 * @param demoDbPort         the demo database Service's local port (0: any free one)
 * @param disableForceDetachOnTimeout kube-controller-manager's {@code --disable-force-detach-on-timeout} (1.30+, off
 *                           by default): no force detach after maxWaitForUnmountDuration, only with the out-of-service
 *                           taint
 * @param cephCsiFencing     Ceph CSI's {@code --enable-fencing}: a volume detached from a node tainted out-of-service
 *                           blocklists the node's client (off by default, as upstream)
 */
public record SandboxConfig(int apiPort, int httpPort, Path dataDir, List<String> nodeNames, Timings timings,
                            double timeScale, boolean deployDemoDatabase, int demoDbPort,
                            boolean disableForceDetachOnTimeout, boolean cephCsiFencing) {

    public static final List<String> DEFAULT_NODES = List.of("node001", "node002", "node003");
    /** Tests run 25 times faster than a real cluster: a 10 s heartbeat takes 0.4 s, a 50 s grace 2 s. */
    public static final double FAST_SCALE = 1.0 / 25;

    public SandboxConfig {
        nodeNames = List.copyOf(nodeNames);
        if (!(timeScale > 0 && timeScale <= 1)) {
            throw new IllegalArgumentException("timeScale must be in (0, 1], was " + timeScale);
        }
    }

    /** A real cluster's timings. */
    public static SandboxConfig defaults() {
        return new SandboxConfig(0, 0, Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-sandbox"),
                DEFAULT_NODES, Timings.real(), 1, true, 0, false, false);
    }

    /** A real cluster's timings scaled by {@link #FAST_SCALE}, for tests; no demo database unless asked. */
    public static SandboxConfig fast() {
        return defaults().withTimeScale(FAST_SCALE).withDemoDatabase(false);
    }

    /** A real duration as this sandbox runs it; tests scale pgwarden's own settings with it too. */
    public Duration scaled(Duration real) {
        return timeScale == 1 ? real : Duration.ofNanos(Math.round(real.toNanos() * timeScale));
    }

    public Duration heartbeatInterval() {
        return scaled(timings.heartbeatInterval());
    }

    public Duration nodeMonitorGracePeriod() {
        return scaled(timings.nodeMonitorGracePeriod());
    }

    public Duration nodeMonitorPeriod() {
        return scaled(timings.nodeMonitorPeriod());
    }

    public Duration podEvictionToleration() {
        return scaled(timings.podEvictionToleration());
    }

    public Duration forceDetachTimeout() {
        return scaled(timings.forceDetachTimeout());
    }

    public Duration networkFenceLatency() {
        return scaled(timings.networkFenceLatency());
    }

    public SandboxConfig withDataDir(Path dir) {
        return new SandboxConfig(apiPort, httpPort, dir, nodeNames, timings, timeScale, deployDemoDatabase, demoDbPort,
                disableForceDetachOnTimeout, cephCsiFencing);
    }

    public SandboxConfig withPorts(int api, int http, int demoDb) {
        return new SandboxConfig(api, http, dataDir, nodeNames, timings, timeScale, deployDemoDatabase, demoDb,
                disableForceDetachOnTimeout, cephCsiFencing);
    }

    public SandboxConfig withNodeNames(List<String> names) {
        return new SandboxConfig(apiPort, httpPort, dataDir, names, timings, timeScale, deployDemoDatabase, demoDbPort,
                disableForceDetachOnTimeout, cephCsiFencing);
    }

    public SandboxConfig withDemoDatabase(boolean deploy) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, timings, timeScale, deploy, demoDbPort,
                disableForceDetachOnTimeout, cephCsiFencing);
    }

    public SandboxConfig withTimings(Timings real) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, real, timeScale, deployDemoDatabase, demoDbPort,
                disableForceDetachOnTimeout, cephCsiFencing);
    }

    public SandboxConfig withCephCsiFencing(boolean enabled) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, timings, timeScale, deployDemoDatabase, demoDbPort,
                disableForceDetachOnTimeout, enabled);
    }

    public SandboxConfig withDisableForceDetachOnTimeout(boolean disable) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, timings, timeScale, deployDemoDatabase, demoDbPort,
                disable, cephCsiFencing);
    }

    public SandboxConfig withTimeScale(double scale) {
        return new SandboxConfig(apiPort, httpPort, dataDir, nodeNames, timings, scale, deployDemoDatabase, demoDbPort,
                disableForceDetachOnTimeout, cephCsiFencing);
    }
}
