package io.pgwarden.failover.incident;

import io.pgwarden.failover.decide.IncidentSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Automatic failover's settings (see {@link IncidentSettings} for what each limit means). */
@ConfigMapping(prefix = "pgwarden.failover.incident")
public interface IncidentConfig {

    /** A suspect node is confirmed down after this long, or at once when its BMC reports the power off. */
    @WithDefault("5s")
    Duration confirmAfter();

    @WithDefault("30s")
    Duration fenceTimeout();

    @WithDefault("3")
    int fenceAttempts();

    @WithDefault("2m")
    Duration releaseTimeout();

    @WithDefault("10m")
    Duration recoveryTimeout();

    /**
     * Fence nothing while more than this share of nodes is unhealthy: the default keeps a majority healthy, as
     * medik8s NodeHealthCheck's {@code minHealthy: 51%} does.
     */
    @WithDefault("0.49")
    double stormMaxShare();

    /** ... or while more than this many nodes are (0: no absolute limit). */
    @WithDefault("0")
    int stormMaxNodes();

    /**
     * For this long after a node was suspected, the storm guard also counts the nodes not heard from since it died.
     * Nodes that die at the same moment go stale up to one lease renewal apart, because each kubelet renews on its
     * own phase: one renew interval (10 s, with the kubelet's 4 % jitter), node-watcher's 1 s liveness check and a
     * second for its word to arrive. Without it the first node of a storm would be fenced before the storm is seen
     * (kubernetes/kubernetes
     * {@code staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go}: {@code JitterUntil(sync,
     * renewInterval, 0.04, ...)}).
     */
    @WithDefault("12s")
    Duration stormSettle();

    @WithDefault("3")
    int fenceRateMax();

    @WithDefault("10m")
    Duration fenceRateWindow();

    /**
     * node-watcher publishes every node's health at this interval (its {@code pgwarden.watcher.snapshot-interval});
     * the feed starts this far back, and the watcher's view counts as stale after 2.5 of them without a word.
     */
    @WithDefault("60s")
    Duration watcherSnapshotInterval();

    @WithDefault("500ms")
    Duration poll();

    /**
     * Release with {@code node.kubernetes.io/out-of-service} (Kubernetes 1.28+, KEP-2268). {@code false} on an older
     * cluster: the fenced node's VolumeAttachments are deleted after the pods instead.
     */
    @WithDefault("true")
    boolean outOfServiceTaint();

    /** The engine's backstop for one incident; the phases' own limits end it long before. */
    @WithDefault("1h")
    Duration timeout();

    default IncidentSettings settings() {
        return new IncidentSettings(confirmAfter(), fenceTimeout(), fenceAttempts(), releaseTimeout(),
                recoveryTimeout(), stormMaxShare(), stormMaxNodes(), stormSettle(), fenceRateMax(), fenceRateWindow(),
                watcherSnapshotInterval().multipliedBy(5).dividedBy(2), poll(), outOfServiceTaint());
    }
}
