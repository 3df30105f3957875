package io.pgwarden.failover.decide;

import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.failover.decide.PlannedView.PodConstraints;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a node may run a pod, as the scheduler's filters judge it: NodeUnschedulable, NodeAffinity (nodeSelector
 * and required node affinity) and TaintToleration, plus the node's Ready condition. Modeled on kubernetes
 * {@code staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go} (terms are ORed, the
 * requirements of a term ANDed, an empty term matches nothing) and {@code staging/src/k8s.io/api/core/v1/toleration.go}
 * ({@code ToleratesTaint}); only NoSchedule and NoExecute taints keep a pod off a node
 * ({@code pkg/scheduler/framework/plugins/tainttoleration}).
 */
public final class Placement {
    /** The taint the node lifecycle controller mirrors {@code spec.unschedulable} with: judged as the cordon. */
    static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

    private Placement() {
    }

    public record Taint(String key, String value, String effect) {
    }

    /** @param operator {@code Equal} (or empty) or {@code Exists} */
    public record Toleration(String key, String operator, String value, String effect) {
        boolean tolerates(Taint taint) {
            if (effect != null && !effect.isEmpty() && !effect.equals(taint.effect())) {
                return false;
            }
            if (key != null && !key.isEmpty() && !key.equals(taint.key())) {
                return false;
            }
            return switch (operator == null ? "" : operator) {
                case "", "Equal" -> Objects.equals(value == null ? "" : value,
                        taint.value() == null ? "" : taint.value());
                case "Exists" -> true;
                default -> false;
            };
        }
    }

    /** A nodeSelectorTerm: its matchExpressions on labels and matchFields (only {@code metadata.name}). */
    public record Term(List<Requirement> expressions, List<Requirement> fields) {
        public Term {
            expressions = List.copyOf(expressions);
            fields = List.copyOf(fields);
        }

        boolean matches(NodeSeen node) {
            if (expressions.isEmpty() && fields.isEmpty()) {
                return false;
            }
            return expressions.stream().allMatch(r -> r.matches(node.labels()))
                    && fields.stream().allMatch(r -> r.matches(Map.of("metadata.name", node.name())));
        }
    }

    /** @param operator In, NotIn, Exists, DoesNotExist, Gt or Lt */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = values == null ? List.of() : List.copyOf(values);
        }

        /** Label selector semantics, so a PodDisruptionBudget's matchExpressions too. */
        public boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                case "Gt", "Lt" -> value != null && values.size() == 1 && compare(value, values.get(0), operator);
                default -> false;
            };
        }

        private static boolean compare(String value, String bound, String operator) {
            try {
                long v = Long.parseLong(value);
                long b = Long.parseLong(bound);
                return "Gt".equals(operator) ? v > b : v < b;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return key + " " + operator + (values.isEmpty() ? "" : " " + values);
        }
    }

    /** Why node cannot run the pod, in words; empty when it can. The cordon counts only when {@code cordonMatters}. */
    public static List<String> whyNot(NodeSeen node, PodConstraints pod, boolean cordonMatters) {
        List<String> why = new ArrayList<>();
        if (!node.ready()) {
            why.add("not Ready");
        }
        if (cordonMatters && node.unschedulable()) {
            why.add(node.cordonedFor().map(f -> "cordoned by pgwarden for " + f).orElse("cordoned"));
        }
        pod.nodeSelector().forEach((k, v) -> {
            if (!v.equals(node.labels().get(k))) {
                why.add("no label " + k + "=" + v + " (the pod's nodeSelector)");
            }
        });
        if (!pod.requiredTerms().isEmpty() && pod.requiredTerms().stream().noneMatch(t -> t.matches(node))) {
            why.add("none of the pod's required node affinity terms matches " + pod.requiredTerms());
        }
        for (Taint taint : node.taints()) {
            boolean filters = "NoSchedule".equals(taint.effect()) || "NoExecute".equals(taint.effect());
            if (filters && !UNSCHEDULABLE_TAINT.equals(taint.key())
                    && pod.tolerations().stream().noneMatch(t -> t.tolerates(taint))) {
                why.add("taint " + taint.key() + (taint.value() == null || taint.value().isEmpty() ? ""
                        : "=" + taint.value()) + ":" + taint.effect() + " not tolerated");
            }
        }
        return why;
    }
}
