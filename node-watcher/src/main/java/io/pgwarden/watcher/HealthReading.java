package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.watcher.health.NodeFacts;
import io.pgwarden.watcher.health.PodHealth;
import io.pgwarden.watcher.health.Reading;

import java.util.List;
import java.util.Optional;

/** Reads what pgwarden cares about off Kubernetes objects (Fabric8's model): node facts, pod {@link Reading}s. */
public final class HealthReading {
    private HealthReading() {
    }

    /** A managed pod as the informer delivered it; {@code deleted} when it is the final state of a deleted pod. */
    public static Reading<PodHealthChanged> of(Pod pod, boolean deleted) {
        return new Reading<>(health(pod), deleted, pod.getMetadata().getResourceVersion());
    }

    /** What the node's object says: its health fields and its BMC. */
    static NodeFacts facts(Node node) {
        Optional<NodeCondition> ready = node.getStatus() == null || node.getStatus().getConditions() == null
                ? Optional.empty()
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
        // A node without a Ready condition has never been heard from: the node controller reports Unknown.
        NodeReadiness readiness = ready.map(c -> switch (String.valueOf(c.getStatus())) {
            case "True" -> NodeReadiness.READY;
            case "False" -> NodeReadiness.NOT_READY;
            default -> NodeReadiness.UNKNOWN;
        }).orElse(NodeReadiness.UNKNOWN);
        boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of() : node.getSpec().getTaints();
        String bmc = node.getMetadata().getAnnotations() == null ? null
                : node.getMetadata().getAnnotations().get(Names.BMC_ADDRESS_ANNOTATION);
        return new NodeFacts(node.getMetadata().getName(), readiness, ready.map(NodeCondition::getReason).orElse(null),
                unschedulable, taints.stream().map(HealthReading::describe).toList(), bmc == null || bmc.isBlank() ? null
                : bmc.trim());
    }

    static PodHealth health(Pod pod) {
        String cluster = pod.getMetadata().getOwnerReferences() == null ? null
                : pod.getMetadata().getOwnerReferences().stream()
                .filter(o -> "StatefulSet".equals(o.getKind())).map(OwnerReference::getName).findFirst().orElse(null);
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null
                ? "Pending" : pod.getStatus().getPhase();
        return new PodHealth(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), cluster,
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), phase, ready,
                pod.getMetadata().getDeletionTimestamp() != null);
    }

    /** {@code key[=value]:Effect}, as kubectl describe shows a taint. */
    static String describe(Taint t) {
        return t.getKey() + (t.getValue() == null || t.getValue().isEmpty() ? "" : "=" + t.getValue()) + ":" + t.getEffect();
    }
}
