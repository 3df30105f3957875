package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kube-controller-manager's node lifecycle controller, taint-eviction controller and the pod GC's out-of-service
 * rule:
 * <ul>
 * <li>a node whose lease is older than node-monitor-grace-period gets Ready=Unknown ("Kubelet stopped posting node
 * status") and the node.kubernetes.io/unreachable:NoExecute taint, and its pods Ready=False (MarkPodsNotReady);
 * <li>when the kubelet posts Ready=True again the taint goes;
 * <li>a pod on a node with a NoExecute taint it does not tolerate is deleted (gracefully) once its tolerationSeconds
 * have passed since the taint was added; with nobody to confirm it, it stays Terminating;
 * <li>on a not-ready node carrying node.kubernetes.io/out-of-service (non-graceful node shutdown, KEP-2268, GA in
 * 1.28) its pods are force-deleted, and so are pods bound to a node that was deleted (pod GC).
 * </ul>
 */
public final class NodeLifecycleController {
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration gracePeriod;
    private final Timeline timeline;

    public NodeLifecycleController(KubernetesClient client, Clock clock, Duration gracePeriod, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.gracePeriod = gracePeriod;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        Instant now = clock.instant();
        collectPodsOfDeletedNodes(view);
        for (Node node : view.nodes().values()) {
            String name = node.getMetadata().getName();
            boolean stale = leaseAge(view.leases().get(name), node, now).compareTo(gracePeriod) > 0;
            boolean ready = ClusterView.isReady(node);
            boolean unknown = ClusterView.ready(node).map(c -> "Unknown".equals(c.getStatus())).orElse(false);
            if (stale && !unknown) {
                markUnknown(name, now);
                markPodsNotReady(view.podsOn(name));
            } else if (!stale && ready && hasTaint(node, Names.TAINT_UNREACHABLE)) {
                client.nodes().withName(name).edit(n -> {
                    n.getSpec().getTaints().removeIf(t -> Names.TAINT_UNREACHABLE.equals(t.getKey()));
                    return n;
                });
                timeline.record("node", name, "Ready");
            } else if (stale) {
                markPodsNotReady(view.podsOn(name));
            }
            evict(node, view.podsOn(name), now);
        }
    }

    /** The pod GC's orphan rule: a pod bound to a node that no longer exists is force-deleted. */
    private void collectPodsOfDeletedNodes(ClusterView view) {
        for (Pod pod : view.pods()) {
            String node = pod.getSpec().getNodeName();
            if (node != null && !view.nodes().containsKey(node)) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(0).delete();
                timeline.record("pod", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                        "ForceDeleted (node " + node + " deleted)");
            }
        }
    }

    private static Duration leaseAge(Lease lease, Node node, Instant now) {
        if (lease == null || lease.getSpec().getRenewTime() == null) {
            return Duration.between(Instant.parse(node.getMetadata().getCreationTimestamp()), now);
        }
        return Duration.between(lease.getSpec().getRenewTime().toInstant(), now);
    }

    private void markUnknown(String name, Instant now) {
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        client.nodes().withName(name).editStatus(n -> {
            for (NodeCondition c : n.getStatus().getConditions()) {
                c.setStatus("Unknown");
                c.setReason("NodeStatusUnknown");
                c.setMessage("Kubelet stopped posting node status.");
                c.setLastTransitionTime(at);
            }
            return n;
        });
        client.nodes().withName(name).edit(n -> {
            if (n.getSpec().getTaints() == null) {
                n.getSpec().setTaints(new ArrayList<>());
            }
            if (n.getSpec().getTaints().stream().noneMatch(t -> Names.TAINT_UNREACHABLE.equals(t.getKey()))) {
                n.getSpec().getTaints().add(new TaintBuilder().withKey(Names.TAINT_UNREACHABLE)
                        .withEffect("NoExecute").withTimeAdded(at).build());
            }
            return n;
        });
        timeline.record("node", name, "NotReady");
    }

    private void markPodsNotReady(List<Pod> pods) {
        for (Pod pod : pods) {
            boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                    .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (!ready) {
                continue;
            }
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .editStatus(p -> {
                        for (PodCondition c : p.getStatus().getConditions()) {
                            if ("Ready".equals(c.getType())) {
                                c.setStatus("False");
                            }
                        }
                        p.getStatus().getContainerStatuses().forEach(cs -> cs.setReady(false));
                        return p;
                    });
            timeline.record("pod", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                    "NotReady (node unreachable)");
        }
    }

    private void evict(Node node, List<Pod> pods, Instant now) {
        List<Taint> noExecute = node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints().stream()
                .filter(t -> "NoExecute".equals(t.getEffect())).toList();
        if (noExecute.isEmpty()) {
            return;
        }
        boolean outOfService = !ClusterView.isReady(node) && hasTaint(node, Names.TAINT_OUT_OF_SERVICE);
        for (Pod pod : pods) {
            String ns = pod.getMetadata().getNamespace();
            String name = pod.getMetadata().getName();
            if (outOfService) {
                client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
                timeline.record("pod", ns + "/" + name, "ForceDeleted (out-of-service)");
                continue;
            }
            if (ClusterView.isTerminating(pod)) {
                continue;
            }
            Optional<Instant> deadline = evictionTime(pod, noExecute);
            if (deadline.isPresent() && !now.isBefore(deadline.get())) {
                client.pods().inNamespace(ns).withName(name).delete();
                timeline.record("pod", ns + "/" + name, "Terminating (taint eviction)");
            }
        }
    }

    /** When the taint-eviction controller deletes the pod: the earliest expiry among the taints it tolerates. */
    static Optional<Instant> evictionTime(Pod pod, List<Taint> taints) {
        Instant earliest = null;
        for (Taint taint : taints) {
            Instant added = taint.getTimeAdded() == null ? Instant.EPOCH : Instant.parse(taint.getTimeAdded());
            Optional<Toleration> toleration = pod.getSpec().getTolerations() == null ? Optional.empty()
                    : pod.getSpec().getTolerations().stream().filter(t -> Scheduler.tolerates(t, taint)).findFirst();
            Instant at;
            if (toleration.isEmpty()) {
                at = added;
            } else if (toleration.get().getTolerationSeconds() == null) {
                continue;
            } else {
                at = added.plusSeconds(Math.max(0, toleration.get().getTolerationSeconds()));
            }
            earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
        }
        return Optional.ofNullable(earliest);
    }

    static boolean hasTaint(Node node, String key) {
        return node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> key.equals(t.getKey()));
    }
}
