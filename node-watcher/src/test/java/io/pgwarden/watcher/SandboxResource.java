package io.pgwarden.watcher;

import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The repository's sandbox cluster for node-watcher, a tenth of real time (a 10 s lease renewal takes 1 s, the node
 * controller's 50 s grace 5 s), with node-watcher's cluster-time settings scaled alike, as the local run scales them
 * ({@code local/.../ClusterTimeSettings}). Eight nodes: enough that after an API outage some kubelet is still to renew
 * when node-watcher sees the API server again.
 */
public class SandboxResource implements QuarkusTestResourceLifecycleManager {
    /** Init arguments: whose BMC node-watcher reads, and how often in real time, ISO-8601 (scaled as the rest). */
    static final String POWER_POLL = "power-poll";
    static final String POWER_POLL_INTERVAL = "power-poll-interval";
    static final double TIME_SCALE = 0.1;
    static final List<String> NODES = IntStream.rangeClosed(1, 8).mapToObj(i -> String.format("node%03d", i)).toList();
    private static volatile Sandbox running;
    private Map<String, String> args = Map.of();
    private static final Map<String, String> FABRIC8 = new java.util.LinkedHashMap<>(Map.of(
            "kubernetes.auth.tryKubeConfig", "false",
            "kubernetes.auth.tryServiceAccount", "false",
            // Reconnect and retry back-offs of milliseconds, so node-watcher sees the API server again right after an
            // outage, before most kubelets' next renewals: the case its grace is for (a real one's reconnect, 1 s
            // doubling to 32 s, may fall anywhere in the 10 s the kubelets take)
            "kubernetes.watch.reconnectInterval", "10",
            "kubernetes.request.retry.backoffInterval", "10"));

    static Sandbox sandbox() {
        return running;
    }

    static SandboxConfig config() {
        return SandboxConfig.fast().withTimeScale(TIME_SCALE).withNodeNames(NODES);
    }

    @Override
    public void init(Map<String, String> initArgs) {
        args = initArgs;
    }

    @Override
    public Map<String, String> start() {
        try {
            running = Sandbox.start(config().withDataDir(Files.createTempDirectory("pgwarden-watcher-sandbox")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SandboxConfig config = config();
        // Quarkus fixes its Kubernetes client settings at build time: the client reads Fabric8's system properties,
        // set here as quarkus-test-kubernetes-client sets them for its mock server.
        FABRIC8.put("kubernetes.master", running.apiServerUrl());
        FABRIC8.forEach(System::setProperty);
        return Map.of(
                // pod IPs are names in the sandbox's network: it says where a pod answers locally
                "pgwarden.watcher.database-address", "sandbox",
                "pgwarden.watcher.sandbox-url", running.httpApiUrl(),
                // 1.5 renew intervals of the sandbox's kubelets, which renew every scaled 10 s
                "pgwarden.watcher.lease-stale-after", config.heartbeatInterval().multipliedBy(3).dividedBy(2).toString(),
                "pgwarden.watcher.liveness-check-interval", config.scaled(Duration.ofSeconds(1)).toString(),
                "pgwarden.watcher.power-poll", args.getOrDefault(POWER_POLL, "stale-nodes"),
                "pgwarden.watcher.power-poll-interval", config.scaled(Duration.parse(
                        args.getOrDefault(POWER_POLL_INTERVAL, "PT5S"))).toString(),
                "pgwarden.watcher.api-check-interval", config.scaled(Duration.ofSeconds(2)).toString());
    }

    @Override
    public void stop() {
        FABRIC8.keySet().forEach(System::clearProperty);
        if (running != null) {
            running.close();
            running = null;
        }
    }
}
