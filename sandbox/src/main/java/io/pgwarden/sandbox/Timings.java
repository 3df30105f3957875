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
 * @param nodeEvictionInterval   how often the node lifecycle controller may taint one more node NoExecute in a healthy
 *                               zone: 1 / {@code --node-eviction-rate} (0.1 per second, {@code
 *                               cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go})
 * @param secondaryNodeEvictionInterval the same in a partially disrupted zone of a large cluster: 1 / {@code
 *                               --secondary-node-eviction-rate} (0.01 per second, same file)
 * @param podGcCheckPeriod       how often the pod GC runs ({@code gcCheckPeriod}, 20 s, {@code
 *                               pkg/controller/podgc/gc_controller.go})
 * @param podGcQuarantine        how long the pod GC waits before it believes a pod's node is gone ({@code
 *                               quarantineTime}, 40 s, same file)
 */
public record Timings(Duration heartbeatInterval, Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod,
                      Duration podEvictionToleration, Duration forceDetachTimeout, Duration nodeEvictionInterval,
                      Duration secondaryNodeEvictionInterval, Duration podGcCheckPeriod, Duration podGcQuarantine) {

    /** A real cluster's timings, with the upstream defaults. */
    public static Timings real() {
        return new Timings(Duration.ofSeconds(10), Duration.ofSeconds(50), Duration.ofSeconds(5),
                Duration.ofSeconds(300), Duration.ofMinutes(6), Duration.ofSeconds(10), Duration.ofSeconds(100),
                Duration.ofSeconds(20), Duration.ofSeconds(40));
    }

    public Timings withPodEvictionToleration(Duration toleration) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, toleration,
                forceDetachTimeout, nodeEvictionInterval, secondaryNodeEvictionInterval, podGcCheckPeriod,
                podGcQuarantine);
    }

    public Timings withForceDetachTimeout(Duration timeout) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, podEvictionToleration,
                timeout, nodeEvictionInterval, secondaryNodeEvictionInterval, podGcCheckPeriod, podGcQuarantine);
    }
}
