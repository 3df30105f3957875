package io.pgwarden.contracts.event;

import java.time.Instant;
import java.util.List;

/**
 * A node's health as node-watcher sees it, published when any health field changes, when the node is
 * deleted, and in periodic snapshots. The lease's renewal time and age are readings, not health: a renewal
 * alone publishes nothing, a change of {@code liveness} does.
 *
 * @param node            node name
 * @param readiness       the node's Ready condition
 * @param readyReason     the condition's reason as the node controller or kubelet set it, if any
 * @param unschedulable   whether the node is cordoned
 * @param taints          taints as {@code key[=value]:Effect}
 * @param liveness        whether the kubelet is heard from (see {@link NodeLiveness})
 * @param livenessReason  what was seen, in words (e.g. "lease not renewed for more than 15 s; BMC reports
 *                        PowerState Off"); no changing numbers, so it is compared as health
 * @param leaseRenewedAt  the node Lease's {@code renewTime}, if node-watcher has seen one
 * @param leaseAgeMillis  how long before {@code observedAt} the lease was last renewed, if known
 * @param powerState      the BMC's Redfish {@code PowerState} (On, Off, PoweringOn, PoweringOff) where one is
 *                        configured and was read; null when unknown
 * @param deleted         the Node object was deleted; the last event for this key until it comes back
 * @param resourceVersion the Node object's resourceVersion this reading was taken from (opaque)
 * @param observedAt      when node-watcher read it
 * @param sequence        increases with every event for this node, across node-watcher restarts and
 *                        leader changes; a consumer drops an event whose sequence is not above the last
 *                        it applied
 */
public record NodeHealthChanged(String node, NodeReadiness readiness, String readyReason, boolean unschedulable,
                                List<String> taints, NodeLiveness liveness, String livenessReason,
                                Instant leaseRenewedAt, Long leaseAgeMillis, String powerState, boolean deleted,
                                String resourceVersion, Instant observedAt, long sequence) {
    public NodeHealthChanged {
        taints = List.copyOf(taints);
    }
}
