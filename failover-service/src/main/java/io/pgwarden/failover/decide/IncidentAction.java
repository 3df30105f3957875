package io.pgwarden.failover.decide;

/** What an incident asks the world to do; each is idempotent. */
public sealed interface IncidentAction {

    /** Take the database's per-database lock for this incident. */
    record TakeLock(String namespace, String statefulSet) implements IncidentAction {
    }

    record ReleaseLock(String namespace, String statefulSet) implements IncidentAction {
    }

    /** Ask the node's fence driver for the fence. */
    record Fence(String node, String driver) implements IncidentAction {
    }

    /** Lift a fence that was asked for (a node that came back before it was confirmed). */
    record Unfence(String node, String driver) implements IncidentAction {
    }

    /** {@code node.kubernetes.io/out-of-service=nodeshutdown:NoExecute}: volumes detach at once (KEP-2268). */
    record TaintOutOfService(String node) implements IncidentAction {
    }

    /**
     * On a cluster without the out-of-service taint (before Kubernetes 1.28), the fenced node's VolumeAttachment is
     * deleted instead, so the attach/detach controller does not wait 6 minutes (as Longhorn's node-down policy does).
     */
    record DeleteVolumeAttachment(String name) implements IncidentAction {
    }

    /** Delete the pod with grace period 0, on the condition that its UID is still {@code uid}. */
    record ForceDeletePod(String namespace, String pod, String uid) implements IncidentAction {
    }

    /** A Kubernetes Event on an object, so {@code kubectl describe} tells the story. */
    record Announce(String kind, String namespace, String name, String reason, String message, boolean warning)
            implements IncidentAction {
    }
}
