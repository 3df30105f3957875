package io.pgwarden.sandbox;

import java.time.Duration;

/**
 * Every duration the simulated cluster waits on, at a real cluster's values. {@link SandboxConfig#timeScale()}
 * shortens all of them by one factor, so fast mode keeps the real order of events.
 *
 * @param heartbeatInterval      kubelet node lease renewal: nodeLeaseDurationSeconds (40 s) / 4, {@code
 *                               pkg/kubelet/nodelease} (KEP-589)
 * @param nodeMonitorGracePeriod lease age after which a node is Ready=Unknown: 50 s since Kubernetes 1.32 ({@code
 *                               cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go})
 * @param nodeMonitorPeriod      how often the node lifecycle controller checks nodes ({@code --node-monitor-period}, 5 s)
 * @param podEvictionToleration  DefaultTolerationSeconds admission's tolerationSeconds for not-ready/unreachable (300 s,
 *                               {@code plugin/pkg/admission/defaulttolerationseconds})
 * @param forceDetachTimeout     the attach/detach controller's maxWaitForUnmountDuration (6 min, {@code
 *                               pkg/controller/volume/attachdetach/attach_detach_controller.go})
 * @param networkFenceLatency    from a NetworkFence's change to its result: the csi-addons controller calls the
 *                               driver's sidecar, and Ceph CSI runs the {@code ceph osd blocklist} command for each
 *                               CIDR, a CLI that connects to the monitors every time (csi-addons {@code
 *                               internal/controller/csiaddons/networkfence_controller.go}, ceph-csi {@code
 *                               internal/csi-addons/networkfence/fencing.go}); 5 s, seconds as observed
 */
public record Timings(Duration heartbeatInterval, Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod,
                      Duration podEvictionToleration, Duration forceDetachTimeout, Duration networkFenceLatency) {

    /** A real cluster's timings, with the upstream defaults. */
    public static Timings real() {
        return new Timings(Duration.ofSeconds(10), Duration.ofSeconds(50), Duration.ofSeconds(5),
                Duration.ofSeconds(300), Duration.ofMinutes(6), Duration.ofSeconds(5));
    }

    public Timings withPodEvictionToleration(Duration toleration) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, toleration,
                forceDetachTimeout, networkFenceLatency);
    }

    public Timings withForceDetachTimeout(Duration timeout) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, podEvictionToleration,
                timeout, networkFenceLatency);
    }
}
