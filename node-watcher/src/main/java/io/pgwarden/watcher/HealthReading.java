package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.PodHealthChanged;
import io.pgwarden.watcher.health.ManagedPod;
import io.pgwarden.watcher.health.NodeFacts;
import io.pgwarden.watcher.health.PodHealth;
import io.pgwarden.watcher.health.Reading;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

    /** PostgreSQL's port unless a container port says otherwise. */
    static final int POSTGRES_PORT = 5432;
    /** Container port names that mark the database port (the IANA service name, and its common short form). */
    static final Set<String> DATABASE_PORT_NAMES = Set.of("postgresql", "postgres");

    /**
     * A managed pod's database port, to probe while its node is stale: empty when there is nothing to probe (the pod is
     * deleted, not bound to a node, has no IP yet, or has finished).
     */
    static Optional<ManagedPod> databasePort(Pod pod, boolean deleted) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (deleted || node == null || ip == null || ip.isBlank() || "Succeeded".equals(phase)
                || "Failed".equals(phase)) {
            return Optional.empty();
        }
        int port = pod.getSpec().getContainers() == null ? POSTGRES_PORT : pod.getSpec().getContainers().stream()
                .map(Container::getPorts).filter(Objects::nonNull).flatMap(List::stream)
                .filter(p -> p.getName() != null && DATABASE_PORT_NAMES.contains(p.getName()))
                .map(ContainerPort::getContainerPort).filter(Objects::nonNull).findFirst().orElse(POSTGRES_PORT);
        return Optional.of(new ManagedPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), node, ip,
                port));
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
