package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * kube-controller-manager's taint-eviction controller ({@code pkg/controller/tainteviction/taint_eviction.go}): a pod
 * on a node with a NoExecute taint it does not tolerate is deleted (gracefully) at once; one it tolerates for
 * tolerationSeconds is deleted that long after the controller saw the taint; a toleration without tolerationSeconds
 * keeps it forever. Other effects (NoSchedule, PreferNoSchedule) evict nothing. Before deleting, the pod gets the
 * DisruptionTarget condition (DeletionByTaintManager). With no kubelet to confirm, the pod stays Terminating.
 * <p>
 * tolerationSeconds are real seconds, as a user wrote them or the DefaultTolerationSeconds admission added them
 * (300); the controller waits them scaled, so fast mode keeps the real order of events.
 */
public final class TaintEvictionController {
    private final KubernetesClient client;
    private final Clock clock;
    private final UnaryOperator<Duration> scaled;
    private final Timeline timeline;
    /** When each taint (node, key, value, effect) was first seen: where a toleration's seconds count from. */
    private final Map<String, Instant> taintSeen = new HashMap<>();

    public TaintEvictionController(KubernetesClient client, Clock clock, UnaryOperator<Duration> scaled,
                                   Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.scaled = scaled;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        Instant now = clock.instant();
        Set<String> present = new HashSet<>();
        for (Node node : view.nodes().values()) {
            Map<Taint, Instant> taints = new HashMap<>();
            for (Taint taint : Optional.ofNullable(node.getSpec().getTaints()).orElse(List.of())) {
                String key = node.getMetadata().getName() + "|" + taint.getKey() + "|" + taint.getValue() + "|"
                        + taint.getEffect();
                present.add(key);
                taints.put(taint, taintSeen.computeIfAbsent(key, k -> now));
            }
            if (taints.isEmpty()) {
                continue;
            }
            for (Pod pod : view.podsOn(node.getMetadata().getName())) {
                Optional<Instant> deadline = evictionTime(pod, taints, scaled);
                if (!ClusterView.isTerminating(pod) && deadline.isPresent() && !now.isBefore(deadline.get())) {
                    evict(pod);
                }
            }
        }
        taintSeen.keySet().retainAll(present);
    }

    /**
     * When the pod is to be deleted given the node's taints and when each was seen: only NoExecute taints count; at
     * once for one it does not tolerate, else the earliest expiry of its tolerationSeconds (scaled); empty when it
     * tolerates them all forever.
     */
    static Optional<Instant> evictionTime(Pod pod, Map<Taint, Instant> taintsSince, UnaryOperator<Duration> scaled) {
        List<Toleration> tolerations = Optional.ofNullable(pod.getSpec().getTolerations()).orElse(List.of());
        List<Instant> deadlines = new ArrayList<>();
        taintsSince.forEach((taint, since) -> {
            if (!"NoExecute".equals(taint.getEffect())) {
                return;
            }
            Optional<Toleration> toleration = tolerations.stream().filter(t -> Scheduler.tolerates(t, taint))
                    .findFirst();
            if (toleration.isEmpty()) {
                deadlines.add(since);
            } else if (toleration.get().getTolerationSeconds() != null) {
                long seconds = Math.max(0, toleration.get().getTolerationSeconds());
                deadlines.add(since.plus(scaled.apply(Duration.ofSeconds(seconds))));
            }
        });
        return deadlines.stream().min(Instant::compareTo);
    }

    private void evict(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        client.pods().inNamespace(ns).withName(name).editStatus(p -> {
            if (p.getStatus().getConditions() == null) {
                p.getStatus().setConditions(new ArrayList<>());
            }
            p.getStatus().getConditions().removeIf(c -> "DisruptionTarget".equals(c.getType()));
            p.getStatus().getConditions().add(new PodConditionBuilder().withType("DisruptionTarget")
                    .withStatus("True").withReason("DeletionByTaintManager")
                    .withMessage("Taint manager: deleting due to NoExecute taint")
                    .withLastTransitionTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
                    .build());
            return p;
        });
        client.pods().inNamespace(ns).withName(name).delete();
        timeline.record("pod", ns + "/" + name, "Terminating (taint eviction)");
    }
}
