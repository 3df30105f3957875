package io.pgwarden.contracts.event;

/**
 * A managed database pod's health, published when any field changes.
 *
 * @param namespace namespace of the pod
 * @param pod       pod name
 * @param cluster   the StatefulSet that owns it
 * @param node      the node it is bound to, if any
 * @param phase     the pod's phase (Pending, Running, Succeeded, Failed, Unknown)
 * @param ready     whether its Ready condition is True
 * @param deleting  whether it has a deletion timestamp (Terminating)
 */
public record PodHealthChanged(String namespace, String pod, String cluster, String node, String phase,
                               boolean ready, boolean deleting) {
}
