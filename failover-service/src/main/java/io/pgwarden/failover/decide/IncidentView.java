package io.pgwarden.failover.decide;

import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.failover.fence.FenceStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an incident sees of the world at one moment: the node (read from the API server now, plus node-watcher's
 * latest word on it), the safety rails, the fence, and each managed database with a pod on the node.
 */
public record IncidentView(NodeSeen node, Rails rails, FenceSeen fence, List<DatabaseSeen> databases) {

    public IncidentView {
        databases = List.copyOf(databases);
    }

    /**
     * @param exists         the Node object is there
     * @param leaseRenewedAt its node Lease's renewTime as read now
     * @param liveness       node-watcher's latest verdict, if it said anything since this service started
     * @param powerState     the BMC's PowerState in node-watcher's latest word, if known
     * @param excluded       the node carries {@code pgwarden.io/failover-excluded=true}
     * @param outOfService   the node carries the out-of-service taint
     * @param leaseDuration  its node Lease's leaseDurationSeconds, if set: the kubelet renews every quarter of it
     */
    public record NodeSeen(String name, boolean exists, Instant leaseRenewedAt, Optional<NodeLiveness> liveness,
                           Optional<String> powerState, boolean excluded, boolean outOfService,
                           Optional<Duration> leaseDuration) {
    }

    /**
     * The safety rails' inputs.
     *
     * @param pausedBecause   set while failover is paused, with who paused it and why
     * @param unhealthyNodes  nodes node-watcher calls SUSPECT or UNREACHABLE
     * @param knownNodes      nodes node-watcher reported on
     * @param watcherHeardAt  when node-watcher was last heard from (any node's health), if ever
     * @param recentFences    fences pgwarden started within the rate-limit window, other than this incident's
     * @param aliveRenewals   the lease renewals, read now, of the other nodes node-watcher calls alive (a node without
     *                        a lease is absent); read only while the storm guard settles, else empty
     */
    public record Rails(Optional<String> pausedBecause, int unhealthyNodes, int knownNodes,
                        Optional<Instant> watcherHeardAt, int recentFences, Map<String, Instant> aliveRenewals) {
        public Rails {
            aliveRenewals = Map.copyOf(aliveRenewals);
        }
    }

    /**
     * @param driver  the driver chosen for the node, or empty with {@code problem} saying why none is
     * @param status  the fence as read now (NOT_FENCED before anything was asked)
     */
    public record FenceSeen(Optional<String> driver, Optional<String> problem, FenceStatus status,
                            boolean taintFences) {
    }

    /**
     * A managed StatefulSet with a pod on the incident's node (or that had one when the incident confirmed).
     *
     * @param replicas          its spec.replicas
     * @param failoverDisabled  annotated {@code pgwarden.io/failover: disabled}
     * @param podOnNode         its pod bound to the incident's node, while that pod object exists
     * @param current           its current pod wherever it is (a new one after the release)
     * @param attachmentsOnNode the VolumeAttachments that still attach its volumes to the incident's node
     * @param lock              its per-database lock, as read now
     * @param write             the write check through its Service, when one was made (only while recovering)
     * @param stoppedHere       stopped by pgwarden (a planned outage: replicas 0, {@code pgwarden.io/stopped-replicas})
     *                          while its pod ran on the incident's node ({@code pgwarden.io/stopped-on})
     */
    public record DatabaseSeen(String namespace, String name, int replicas, boolean failoverDisabled,
                               Optional<PodSeen> podOnNode, Optional<PodSeen> current, List<String> attachmentsOnNode,
                               Lock lock, Optional<WriteCheck> write, boolean stoppedHere) {
        public DatabaseSeen {
            attachmentsOnNode = List.copyOf(attachmentsOnNode);
        }

        public String key() {
            return namespace + "/" + name;
        }
    }

    public record PodSeen(String name, String uid, String node, boolean ready) {
    }

    /** A database's lock: free, held by this incident, or busy with another operation (described). */
    public record Lock(State state, String holder) {
        public enum State { FREE, MINE, BUSY }

        public static Lock free() {
            return new Lock(State.FREE, null);
        }

        public static Lock mine() {
            return new Lock(State.MINE, null);
        }

        public static Lock busy(String holder) {
            return new Lock(State.BUSY, holder);
        }
    }

    /** @param problem empty when the write committed */
    public record WriteCheck(Optional<String> problem) {
    }
}
