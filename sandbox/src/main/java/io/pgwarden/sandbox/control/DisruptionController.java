package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * kube-controller-manager's disruption controller ({@code pkg/controller/disruption/disruption.go}): keeps each
 * PodDisruptionBudget's status, which the eviction subresource decides by.
 * <ul>
 * <li>{@code expectedPods} and {@code desiredHealthy} (getExpectedPodCount): {@code maxUnavailable} (number or
 * percent, rounded up) of the pods' controllers' scale; {@code minAvailable} as a number of the pods selected, as a
 * percent of the controllers' scale. The scale of a pod's controller is its StatefulSet's replicas; a selected pod
 * whose controller the sandbox does not know fails the sync, and the fail-safe allows no disruption;
 * <li>{@code currentHealthy}: selected pods Ready, neither terminating nor in {@code disruptedPods};
 * <li>{@code disruptionsAllowed} = max(0, currentHealthy - desiredHealthy), 0 while no pod is expected;
 * <li>{@code disruptedPods} (the eviction subresource's entries) lose a pod once it is terminating or gone, or once
 * {@code DeletionTimeout} (2 min) has passed without it being deleted;
 * <li>{@code observedGeneration}, and the {@code DisruptionAllowed} condition.
 * </ul>
 * The status is written only when it changes, from the pass's snapshot: a budget the eviction subresource changed
 * meanwhile answers 409 and the next pass reads it again, as the controller requeues on a conflict.
 */
public final class DisruptionController {
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration deletionTimeout;
    private final Timeline timeline;

    public DisruptionController(KubernetesClient client, Clock clock, Duration deletionTimeout, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.deletionTimeout = deletionTimeout;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        Instant now = clock.instant();
        for (PodDisruptionBudget pdb : view.disruptionBudgets()) {
            PodDisruptionBudgetStatus status = status(pdb, view, now);
            PodDisruptionBudgetStatus current = Optional.ofNullable(pdb.getStatus())
                    .orElseGet(PodDisruptionBudgetStatus::new);
            if (!Serialization.jsonMapper().valueToTree(status).equals(Serialization.jsonMapper().valueToTree(current))) {
                client.policy().v1().podDisruptionBudget().inNamespace(pdb.getMetadata().getNamespace())
                        .resource(new PodDisruptionBudgetBuilder(pdb).withStatus(status).build()).updateStatus();
                if (!Objects.equals(status.getDisruptionsAllowed(), current.getDisruptionsAllowed())) {
                    timeline.record("poddisruptionbudget", pdb.getMetadata().getNamespace() + "/"
                            + pdb.getMetadata().getName(), "disruptionsAllowed " + status.getDisruptionsAllowed());
                }
            }
        }
    }

    /** The budget's status as the controller computes it (trySync, or failSafe when that fails). */
    PodDisruptionBudgetStatus status(PodDisruptionBudget pdb, ClusterView view, Instant now) {
        try {
            return synced(pdb, view, now);
        } catch (IllegalArgumentException | SyncFailed e) {
            PodDisruptionBudgetStatus failSafe = new PodDisruptionBudgetStatusBuilder(
                    Optional.ofNullable(pdb.getStatus()).orElseGet(PodDisruptionBudgetStatus::new))
                    .withDisruptionsAllowed(0).build();
            DisruptionBudgets.setCondition(failSafe, "False", "SyncFailed", e.getMessage(), now);
            return failSafe;
        }
    }

    private PodDisruptionBudgetStatus synced(PodDisruptionBudget pdb, ClusterView view, Instant now) {
        List<Pod> pods = view.pods().stream().filter(p -> DisruptionBudgets.counts(pdb, p)).toList();
        int expected;
        int desired;
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        if (maxUnavailable != null) {
            expected = expectedScale(pods, view.statefulSets());
            desired = Math.max(0, expected - scaledValue(maxUnavailable, expected));
        } else if (minAvailable != null && minAvailable.getStrVal() == null) {
            expected = pods.size();
            desired = minAvailable.getIntVal();
        } else if (minAvailable != null) {
            expected = expectedScale(pods, view.statefulSets());
            desired = scaledValue(minAvailable, expected);
        } else {
            expected = 0;
            desired = 0;
        }
        Map<String, String> disrupted = disruptedPods(pods, pdb.getStatus(), now);
        int healthy = (int) pods.stream().filter(p -> !ClusterView.isTerminating(p)
                && !disrupted.containsKey(p.getMetadata().getName()) && DisruptionBudgets.isReady(p)).count();
        int allowed = expected <= 0 ? 0 : Math.max(0, healthy - desired);
        PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatusBuilder()
                .withConditions(pdb.getStatus() == null ? null : pdb.getStatus().getConditions())
                .withCurrentHealthy(healthy).withDesiredHealthy(desired).withExpectedPods(expected)
                .withDisruptionsAllowed(allowed).withDisruptedPods(disrupted)
                .withObservedGeneration(pdb.getMetadata().getGeneration()).build();
        DisruptionBudgets.updateDisruptionAllowedCondition(status, now);
        return status;
    }

    /**
     * getExpectedScale: the sum of the scale of the selected pods' controllers, each counted once; pods without a
     * controller are left out (the real controller warns with an UnmanagedPods event).
     */
    private static int expectedScale(List<Pod> pods, List<StatefulSet> statefulSets) {
        Map<String, Integer> scaleByController = new HashMap<>();
        for (Pod pod : pods) {
            Optional<OwnerReference> controller = Optional.ofNullable(pod.getMetadata().getOwnerReferences())
                    .orElse(List.of()).stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
            if (controller.isEmpty() || scaleByController.containsKey(controller.get().getUid())) {
                continue;
            }
            OwnerReference ref = controller.get();
            StatefulSet set = statefulSets.stream().filter(s -> "StatefulSet".equals(ref.getKind())
                            && String.valueOf(ref.getApiVersion()).startsWith("apps/")
                            && s.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                            && s.getMetadata().getName().equals(ref.getName())
                            && s.getMetadata().getUid().equals(ref.getUid()))
                    .findFirst().orElseThrow(() -> new SyncFailed("found no controllers for pod \""
                            + pod.getMetadata().getName() + "\""));
            scaleByController.put(ref.getUid(), Optional.ofNullable(set.getSpec().getReplicas()).orElse(1));
        }
        return scaleByController.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** intstr.GetScaledValueFromIntOrPercent, rounding up. */
    static int scaledValue(IntOrString value, int total) {
        if (value.getStrVal() == null) {
            return value.getIntVal();
        }
        String text = value.getStrVal();
        if (!text.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        return (int) Math.ceil(percent * total / 100.0);
    }

    /** buildDisruptedPodMap: the entries of pods still selected, not terminating, and not yet past the timeout. */
    private Map<String, String> disruptedPods(List<Pod> pods, PodDisruptionBudgetStatus status, Instant now) {
        Map<String, String> recorded = status == null || status.getDisruptedPods() == null ? Map.of()
                : status.getDisruptedPods();
        Map<String, String> kept = new LinkedHashMap<>();
        for (Pod pod : pods) {
            String since = recorded.get(pod.getMetadata().getName());
            if (since != null && !ClusterView.isTerminating(pod)
                    && !Instant.parse(since).plus(deletionTimeout).isBefore(now)) {
                kept.put(pod.getMetadata().getName(), since);
            }
        }
        return kept;
    }

    /** A budget whose status cannot be computed: the fail-safe leaves it allowing no disruption. */
    private static final class SyncFailed extends RuntimeException {
        SyncFailed(String message) {
            super(message);
        }
    }
}
