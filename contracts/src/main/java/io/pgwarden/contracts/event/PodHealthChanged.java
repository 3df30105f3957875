package io.pgwarden.contracts.event;

import java.time.Instant;

/**
 * A managed database pod's health, published when any health field changes, when the pod is deleted,
 * and in periodic snapshots.
 *
 * @param namespace       namespace of the pod
 * @param pod             pod name
 * @param cluster         the StatefulSet that owns it
 * @param node            the node it is bound to, if any
 * @param phase           the pod's phase (Pending, Running, Succeeded, Failed, Unknown)
 * @param ready           whether its Ready condition is True
 * @param deleting        whether it has a deletion timestamp (Terminating)
 * @param deleted         the Pod object is gone from the API; the last event for this key until it comes back
 * @param resourceVersion the Pod object's resourceVersion this reading was taken from (opaque)
 * @param observedAt      when node-watcher read it
 * @param sequence        increases with every event for this pod, across node-watcher restarts and leader
 *                        changes; a consumer drops an event whose sequence is not above the last it applied
 */
public record PodHealthChanged(String namespace, String pod, String cluster, String node, String phase,
                               boolean ready, boolean deleting, boolean deleted, String resourceVersion,
                               Instant observedAt, long sequence) {
}
