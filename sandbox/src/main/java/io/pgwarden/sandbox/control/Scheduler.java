package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.record.Timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * kube-scheduler, reduced to the plugins that decide where a database pod lands: NodeUnschedulable (cordon),
 * TaintToleration (NoSchedule and NoExecute taints, including node.kubernetes.io/unreachable on a lost node), node
 * readiness, VolumeBinding (wait until the claims are bound), then scoring by ImageLocality (a node that already has
 * the image, which is why a deleted pod comes back on its node) and by the fewest pods (NodeResourcesFit's
 * LeastAllocated), ties by name.
 */
public final class Scheduler {
    private final KubernetesClient client;
    private final Timeline timeline;

    public Scheduler(KubernetesClient client, Timeline timeline) {
        this.client = client;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        for (Pod pod : view.pods()) {
            if (pod.getSpec().getNodeName() != null || ClusterView.isTerminating(pod)
                    || view.boundVolumes(pod).isEmpty()) {
                continue;
            }
            List<Node> feasible = view.nodes().values().stream().filter(n -> fits(pod, n)).toList();
            if (feasible.isEmpty()) {
                markUnschedulable(pod, view.nodes().size());
                continue;
            }
            String image = pod.getSpec().getContainers().get(0).getImage();
            Node chosen = feasible.stream().min(Comparator
                    .comparing((Node n) -> !hasImage(n, image))
                    .thenComparing(n -> view.podsOn(n.getMetadata().getName()).size())
                    .thenComparing(n -> n.getMetadata().getName())).orElseThrow();
            bind(pod, chosen.getMetadata().getName());
        }
    }

    static boolean fits(Pod pod, Node node) {
        if (!ClusterView.isReady(node) || Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return false;
        }
        List<Taint> taints = node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        return taints.stream().filter(t -> !"PreferNoSchedule".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
    }

    /** The toleration matching rules of the core API (v1.Toleration.ToleratesTaint). */
    static boolean tolerates(Toleration toleration, Taint taint) {
        if (toleration.getEffect() != null && !toleration.getEffect().isEmpty()
                && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if ("Exists".equals(toleration.getOperator())) {
            return toleration.getKey() == null || toleration.getKey().isEmpty()
                    || toleration.getKey().equals(taint.getKey());
        }
        return Objects.equals(toleration.getKey(), taint.getKey())
                && Objects.equals(Objects.requireNonNullElse(toleration.getValue(), ""),
                Objects.requireNonNullElse(taint.getValue(), ""));
    }

    private static boolean hasImage(Node node, String image) {
        if (node.getStatus() == null || node.getStatus().getImages() == null) {
            return false;
        }
        for (ContainerImage i : node.getStatus().getImages()) {
            if (i.getNames() != null && i.getNames().contains(image)) {
                return true;
            }
        }
        return false;
    }

    private void bind(Pod pod, String node) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .edit(p -> {
                    p.getSpec().setNodeName(node);
                    return p;
                });
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    p.getStatus().setPhase("Pending");
                    p.getStatus().setConditions(new ArrayList<>(List.of(scheduled("True", null, null))));
                    return p;
                });
        timeline.record("pod", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                "Scheduled to " + node);
    }

    private void markUnschedulable(Pod pod, int nodes) {
        String message = "0/" + nodes + " nodes are available: no Ready, schedulable node whose taints the pod tolerates.";
        boolean already = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                .getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && message.equals(c.getMessage()));
        if (already) {
            return;
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    p.getStatus().setPhase("Pending");
                    p.getStatus().setConditions(new ArrayList<>(List.of(scheduled("False", "Unschedulable", message))));
                    return p;
                });
    }

    private static PodCondition scheduled(String status, String reason, String message) {
        return new PodConditionBuilder().withType("PodScheduled").withStatus(status).withReason(reason)
                .withMessage(message).build();
    }
}
