package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the eviction subresource and the disruption controller agree on about PodDisruptionBudgets: which pods a
 * budget covers, when a pod counts as healthy, and the {@code DisruptionAllowed} condition (kubernetes
 * {@code staging/src/k8s.io/component-helpers/apps/poddisruptionbudget/helpers.go}, the selector rules of
 * {@code pkg/registry/core/pod/storage/eviction.go} and {@code pkg/controller/disruption/disruption.go}).
 */
public final class DisruptionBudgets {
    public static final String DISRUPTION_ALLOWED = "DisruptionAllowed";

    private DisruptionBudgets() {
    }

    /**
     * Whether the eviction subresource holds the pod to this budget: same namespace, and a selector that matches the
     * pod's labels. A missing or empty selector guards nothing there (getPodDisruptionBudgets), although the
     * controller counts every pod of the namespace under an empty one; an invalid selector guards nothing either.
     */
    public static boolean guards(PodDisruptionBudget pdb, Pod pod) {
        LabelSelector selector = pdb.getSpec() == null ? null : pdb.getSpec().getSelector();
        if (!pdb.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace()) || isEmpty(selector)) {
            return false;
        }
        try {
            return matches(selector, pod.getMetadata().getLabels());
        } catch (IllegalArgumentException invalid) {
            return false;
        }
    }

    /**
     * The pods the disruption controller counts for a budget (getPodsForPdb, metav1.LabelSelectorAsSelector): a
     * missing selector selects none, an empty one every pod of the namespace.
     *
     * @throws IllegalArgumentException for an operator no label selector has
     */
    static boolean counts(PodDisruptionBudget pdb, Pod pod) {
        LabelSelector selector = pdb.getSpec() == null ? null : pdb.getSpec().getSelector();
        return selector != null && pdb.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                && matches(selector, pod.getMetadata().getLabels());
    }

    private static boolean isEmpty(LabelSelector selector) {
        return selector == null || (nullToEmpty(selector.getMatchLabels()).isEmpty()
                && nullToEmpty(selector.getMatchExpressions()).isEmpty());
    }

    static boolean matches(LabelSelector selector, Map<String, String> podLabels) {
        Map<String, String> labels = podLabels == null ? Map.of() : podLabels;
        for (Map.Entry<String, String> wanted : nullToEmpty(selector.getMatchLabels()).entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement r : nullToEmpty(selector.getMatchExpressions())) {
            String value = labels.get(r.getKey());
            List<String> values = nullToEmpty(r.getValues());
            boolean match = switch (String.valueOf(r.getOperator())) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalArgumentException("\"" + r.getOperator()
                        + "\" is not a valid label selector operator");
            };
            if (!match) {
                return false;
            }
        }
        return true;
    }

    /** A pod counts as healthy when it is Ready (podutil.IsPodReady). */
    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * UpdateDisruptionAllowedCondition: {@code True}/{@code SufficientPods} while disruptions are allowed, else
     * {@code False}/{@code InsufficientPods}.
     */
    public static void updateDisruptionAllowedCondition(PodDisruptionBudgetStatus status, Instant now) {
        boolean allowed = Optional.ofNullable(status.getDisruptionsAllowed()).orElse(0) > 0;
        setCondition(status, allowed ? "True" : "False", allowed ? "SufficientPods" : "InsufficientPods", "", now);
    }

    /**
     * apimeta.SetStatusCondition for the DisruptionAllowed condition: the transition time changes only with the
     * condition's status.
     */
    static void setCondition(PodDisruptionBudgetStatus status, String value, String reason, String message,
                             Instant now) {
        List<Condition> conditions = new ArrayList<>(nullToEmpty(status.getConditions()));
        Optional<Condition> existing = conditions.stream().filter(c -> DISRUPTION_ALLOWED.equals(c.getType()))
                .findFirst();
        String transition = existing.filter(c -> value.equals(c.getStatus())).map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        conditions.removeIf(c -> DISRUPTION_ALLOWED.equals(c.getType()));
        conditions.add(new ConditionBuilder().withType(DISRUPTION_ALLOWED).withStatus(value).withReason(reason)
                .withMessage(message).withObservedGeneration(status.getObservedGeneration())
                .withLastTransitionTime(transition).build());
        status.setConditions(conditions);
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nullToEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
