package io.pgwarden.failover.decide;

import java.util.Map;

/** What a planned operation asks of Kubernetes. Each is idempotent. */
public sealed interface PlannedAction {

    /** {@code spec.unschedulable: true} and the annotation {@code pgwarden.io/cordoned-for: <forDatabase>}. */
    record Cordon(String node, String forDatabase) implements PlannedAction {
    }

    /** Uncordon a node and remove its {@code cordoned-for}, only while that still names forDatabase. */
    record Uncordon(String node, String forDatabase) implements PlannedAction {
    }

    /** policy/v1 Eviction of the pod with its UID as a precondition; a 429 is remembered for the next look. */
    record Evict(String namespace, String pod, String uid) implements PlannedAction {
    }

    /** A graceful delete with the UID as a precondition: the move that ignores disruption budgets. */
    record DeletePod(String namespace, String pod, String uid) implements PlannedAction {
    }

    /** spec.replicas through the scale subresource. */
    record Scale(String namespace, String statefulSet, int replicas) implements PlannedAction {
    }

    /** Sets the StatefulSet's annotations; a null value removes one. */
    record Annotate(String namespace, String statefulSet, Map<String, String> annotations) implements PlannedAction {
    }

    /** A Kubernetes Event on the StatefulSet. */
    record Announce(String namespace, String statefulSet, String reason, String message, boolean warning)
            implements PlannedAction {
    }
}
