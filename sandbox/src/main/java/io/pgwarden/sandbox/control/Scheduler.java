package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.record.Timeline;

import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;

/**
 * kube-scheduler, reduced to the plugins that decide where a database pod lands. Filters: NodeUnschedulable (cordon),
 * TaintToleration (every NoSchedule and NoExecute taint tolerated; the node lifecycle controller's not-ready and
 * unreachable NoSchedule taints are what keeps pods off a lost node: the scheduler never reads the Ready condition),
 * VolumeBinding (wait until the claims are bound). Scores, summed with weight 1 as in the default profile:
 * ImageLocality ({@code pkg/scheduler/framework/plugins/imagelocality}: the image's size scaled by the share of nodes
 * that have it, between 23 MB and 1000 MB) and NodeResourcesFit's LeastAllocated (each pod without requests counts
 * 100m CPU and 200 MiB, the scheduler's non-zero defaults). NodeResourcesBalancedAllocation, VolumeBinding and the
 * spreading plugins score every node alike for the sandbox's pods (no requests, one pod per set and ordinal, no
 * storage capacity scoring), and nothing scores where a volume is attached. Among the best nodes one is chosen at
 * random, as selectHost does.
 */
public final class Scheduler {
    private static final long MB = 1024 * 1024;
    private static final long MIN_IMAGE_THRESHOLD = 23 * MB;
    private static final long MAX_IMAGE_THRESHOLD = 1000 * MB;
    private static final long DEFAULT_MILLI_CPU = 100;
    private static final long DEFAULT_MEMORY = 200 * MB;
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
            int nodes = view.nodes().size();
            long withImage = view.nodes().values().stream().filter(n -> imageSize(n, image(pod)) > 0).count();
            List<Node> best = best(feasible, n -> imageLocality(imageSize(n, image(pod)), withImage, nodes)
                    + leastAllocated(n, view.podsOn(n.getMetadata().getName()).size()));
            bind(pod, best.get(ThreadLocalRandom.current().nextInt(best.size())).getMetadata().getName());
        }
    }

    /** The nodes with the highest score. */
    static List<Node> best(List<Node> nodes, ToLongFunction<Node> score) {
        long max = nodes.stream().mapToLong(score).max().orElseThrow();
        return nodes.stream().filter(n -> score.applyAsLong(n) == max).toList();
    }

    /** NodeUnschedulable and TaintToleration. */
    static boolean fits(Pod pod, Node node) {
        List<Taint> taints = node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        Taint cordon = new TaintBuilder().withKey(NodeLifecycleController.TAINT_UNSCHEDULABLE).withEffect("NoSchedule")
                .build();
        if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())
                && tolerations.stream().noneMatch(tol -> tolerates(tol, cordon))) {
            return false;
        }
        return taints.stream().filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
    }

    /** ImageLocality's score (0 to 100) of a node holding an image of the given size (0: not there). */
    static long imageLocality(long imageSize, long nodesWithImage, int nodes) {
        long scaled = imageSize == 0 ? 0 : (long) (imageSize * ((double) nodesWithImage / nodes));
        long clamped = Math.max(MIN_IMAGE_THRESHOLD, Math.min(MAX_IMAGE_THRESHOLD, scaled));
        return 100 * (clamped - MIN_IMAGE_THRESHOLD) / (MAX_IMAGE_THRESHOLD - MIN_IMAGE_THRESHOLD);
    }

    /** LeastAllocated's score (0 to 100) of a node running the given number of pods without requests. */
    static long leastAllocated(Node node, int pods) {
        Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        long cpu = allocatable.containsKey("cpu")
                ? Quantity.getAmountInBytes(allocatable.get("cpu")).movePointRight(3).longValue() : 0;
        long memory = allocatable.containsKey("memory")
                ? Quantity.getAmountInBytes(allocatable.get("memory")).longValue() : 0;
        return (free(cpu, (pods + 1) * DEFAULT_MILLI_CPU) + free(memory, (pods + 1) * DEFAULT_MEMORY)) / 2;
    }

    private static long free(long capacity, long requested) {
        return capacity == 0 || requested > capacity ? 0 : (capacity - requested) * 100 / capacity;
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

    private static String image(Pod pod) {
        return pod.getSpec().getContainers().get(0).getImage();
    }

    /** The size the node reports for the image, 0 when it does not have it. */
    private static long imageSize(Node node, String image) {
        if (node.getStatus() == null || node.getStatus().getImages() == null) {
            return 0;
        }
        for (ContainerImage i : node.getStatus().getImages()) {
            if (i.getNames() != null && i.getNames().contains(image)) {
                return i.getSizeBytes() == null ? 0 : i.getSizeBytes();
            }
        }
        return 0;
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
        String message = "0/" + nodes + " nodes are available: no schedulable node whose taints the pod tolerates.";
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
