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
 * @param snapshotCreation       how long the external-snapshotter's CreateSnapshot call to ceph-csi takes before the
 *                               content reports readyToUse: ceph-csi's CreateSnapshot (internal/rbd/controllerserver.go)
 *                               creates an RBD snapshot, clones it to csi-snap-uuid and removes the snapshot, each a
 *                               round trip to the monitors and OSDs, and answers readyToUse true (a few seconds on a
 *                               healthy cluster; 3 s here)
 * @param jobPodFailureBackOff   the Job controller's delay before replacing a failed pod, doubled per failure
 *                               (DefaultJobPodFailureBackOff, 10 s, {@code pkg/controller/job/job_controller.go})
 * @param maxJobPodFailureBackOff the cap of that delay (MaxJobPodFailureBackOff, 10 min, same file)
 * @param attachTime             from a VolumeAttachment's creation to {@code status.attached=true}: the external-attacher's
 *                               round trip (ceph-csi's RBD ControllerPublishVolume is a no-op, ceph/ceph-csi#3199, so
 *                               this is the sidecar's watch, queue and status patch); 1 s, an estimate
 * @param mountTime              NodeStageVolume (rbd map, mount) and NodePublishVolume (bind mount) for one volume: 5 s,
 *                               measured in rook/rook#11805 (0 to 10 s until an RBD volume is mounted, most of it the
 *                               kubelet waiting for its status to list the volume in use, {@code
 *                               pkg/volume/util/operationexecutor/operation_generator.go})
 * @param imagePullTime          pulling a PostgreSQL image onto a node that lacks it: 30 s, measured in kubelet Pulled
 *                               events (apecloud/kubeblocks#1798: 32.8 s, #6952: 24.0 s)
 * @param bmcPowerChangeTime     from a Redfish ComputerSystem.Reset's answer to the change of power: 5 s, an estimate within
 *                               the 20 s fence agents allow by default ({@code --power-timeout}, ClusterLabs/fence-agents
 *                               {@code lib/fencing.py.py})
 * @param bootTime               from power on to a kubelet posting Ready again: 3 min, an estimate for a physical server
 *                               (firmware POST, OS boot, kubelet start) within the 5 min the Kubernetes reboot e2e test
 *                               allows ({@code test/e2e/cloud/gcp/reboot.go}, rebootNodeReadyAgainTimeout)
 * @param nodeEvictionInterval   how often the node lifecycle controller may taint one more node NoExecute in a healthy
 *                               zone: 1 / {@code --node-eviction-rate} (0.1 per second, {@code
 *                               cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go})
 * @param secondaryNodeEvictionInterval the same in a partially disrupted zone of a large cluster: 1 / {@code
 *                               --secondary-node-eviction-rate} (0.01 per second, same file)
 * @param podGcCheckPeriod       how often the pod GC runs ({@code gcCheckPeriod}, 20 s, {@code
 *                               pkg/controller/podgc/gc_controller.go})
 * @param podGcQuarantine        how long the pod GC waits before it believes a pod's node is gone ({@code
 *                               quarantineTime}, 40 s, same file)
 * @param networkFenceLatency    from a NetworkFence's change to its result: the csi-addons controller calls the
 *                               driver's sidecar, and Ceph CSI runs the {@code ceph osd blocklist} command for each
 *                               CIDR, a CLI that connects to the monitors every time (csi-addons {@code
 *                               internal/controller/csiaddons/networkfence_controller.go}, ceph-csi {@code
 *                               internal/csi-addons/networkfence/fencing.go}); 5 s, seconds as observed
 * @param pdbDeletionTimeout     how long a pod the eviction subresource let through stays in a PodDisruptionBudget's
 *                               {@code status.disruptedPods} (not counted healthy) while it is not yet marked for
 *                               deletion ({@code DeletionTimeout}, 2 min, {@code pkg/controller/disruption/disruption.go})
 */
public record Timings(Duration heartbeatInterval, Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod,
                      Duration podEvictionToleration, Duration forceDetachTimeout, Duration snapshotCreation,
                      Duration jobPodFailureBackOff, Duration maxJobPodFailureBackOff,
                      Duration attachTime, Duration mountTime, Duration imagePullTime,
                      Duration bmcPowerChangeTime, Duration bootTime, Duration nodeEvictionInterval,
                      Duration secondaryNodeEvictionInterval, Duration podGcCheckPeriod, Duration podGcQuarantine,
                      Duration networkFenceLatency, Duration pdbDeletionTimeout) {

    /** A real cluster's timings, with the upstream defaults. */
    public static Timings real() {
        return new Timings(Duration.ofSeconds(10), Duration.ofSeconds(50), Duration.ofSeconds(5),
                Duration.ofSeconds(300), Duration.ofMinutes(6), Duration.ofSeconds(3), Duration.ofSeconds(10),
                Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofMinutes(3), Duration.ofSeconds(10), Duration.ofSeconds(100),
                Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(5), Duration.ofMinutes(2));
    }

    public Timings withPodEvictionToleration(Duration toleration) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, toleration,
                forceDetachTimeout, snapshotCreation, jobPodFailureBackOff, maxJobPodFailureBackOff, attachTime,
                mountTime, imagePullTime, bmcPowerChangeTime, bootTime, nodeEvictionInterval,
                secondaryNodeEvictionInterval, podGcCheckPeriod, podGcQuarantine, networkFenceLatency,
                pdbDeletionTimeout);
    }

    public Timings withForceDetachTimeout(Duration timeout) {
        return new Timings(heartbeatInterval, nodeMonitorGracePeriod, nodeMonitorPeriod, podEvictionToleration,
                timeout, snapshotCreation, jobPodFailureBackOff, maxJobPodFailureBackOff, attachTime, mountTime,
                imagePullTime, bmcPowerChangeTime, bootTime, nodeEvictionInterval, secondaryNodeEvictionInterval,
                podGcCheckPeriod, podGcQuarantine, networkFenceLatency, pdbDeletionTimeout);
    }
}
