package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.pgwarden.sandbox.control.DisruptionBudgets;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether pods/eviction (policy/v1) may delete a pod, and what it writes to the pod's PodDisruptionBudget first
 * (kubernetes {@code pkg/registry/core/pod/storage/eviction.go}, EvictionREST.Create and checkAndDecrement):
 * <ul>
 * <li>a pod Pending, Succeeded, Failed or already terminating goes without looking at budgets (canIgnorePDB);
 * <li>budgets are those of the pod's namespace whose selector matches it; more than one is a Failure Status with code
 * 500 ("This pod has more than one PodDisruptionBudget, ..."), whatever they allow;
 * <li>a pod that is not Ready goes without spending a disruption under {@code unhealthyPodEvictionPolicy:
 * AlwaysAllow}, or under the default IfHealthyBudget while the budget is met ({@code currentHealthy >=
 * desiredHealthy > 0});
 * <li>otherwise the budget decides: a status older than its spec ({@code observedGeneration < generation}) is 429
 * "is still being processed" (retry after 10 s); {@code disruptionsAllowed} negative or more than 2000
 * {@code disruptedPods} is 403; {@code disruptionsAllowed == 0} is 429 "Cannot evict pod as it would violate the
 * pod's disruption budget." with a {@code DisruptionBudget} cause; else one disruption is spent and the pod is
 * recorded in {@code disruptedPods}, which a dry run does not store.
 * </ul>
 * The real handler re-reads and retries on conflicts between these steps; here the API server decides one request
 * at a time, so there are none.
 */
final class Eviction {
    static final String VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
    static final String MULTIPLE_BUDGETS =
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";
    /** MaxDisruptedPodSize: evictions the disruption controller has not caught up with yet. */
    private static final int MAX_DISRUPTED_PODS = 2000;

    private Eviction() {
    }

    sealed interface Decision permits Evict, Unsupported {
    }

    /** The pod is to be deleted, after storing this budget (null: no budget changes). */
    record Evict(PodDisruptionBudget budget) implements Decision {
    }

    /**
     * The eviction subresource does not handle the pod: it returns a Failure Status with code 500 as its result,
     * which the create handler writes with HTTP 201 (client-go reports it as an error; a client reading only the HTTP
     * code does not).
     */
    record Unsupported(String message) implements Decision {
    }

    /** @throws ApiError 429 or 403 when the pod's budget refuses the disruption */
    static Decision decide(Pod pod, List<PodDisruptionBudget> namespaceBudgets, boolean dryRun, Instant now) {
        if (canIgnoreBudgets(pod)) {
            return new Evict(null);
        }
        List<PodDisruptionBudget> budgets = namespaceBudgets.stream().filter(b -> DisruptionBudgets.guards(b, pod))
                .toList();
        if (budgets.size() > 1) {
            return new Unsupported(MULTIPLE_BUDGETS);
        }
        if (budgets.isEmpty()) {
            return new Evict(null);
        }
        PodDisruptionBudget pdb = budgets.get(0);
        PodDisruptionBudgetStatus status = Optional.ofNullable(pdb.getStatus()).orElseGet(PodDisruptionBudgetStatus::new);
        if (!DisruptionBudgets.isReady(pod)) {
            if ("AlwaysAllow".equals(pdb.getSpec().getUnhealthyPodEvictionPolicy())) {
                return new Evict(null);
            }
            int desired = orZero(status.getDesiredHealthy());
            if (orZero(status.getCurrentHealthy()) >= desired && desired > 0) {
                return new Evict(null);
            }
        }
        return new Evict(checkAndDecrement(pod.getMetadata().getName(), pdb, dryRun, now));
    }

    private static boolean canIgnoreBudgets(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return Set.of("Pending", "Succeeded", "Failed").contains(String.valueOf(phase))
                || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** The budget with one disruption spent and the pod recorded; null for a dry run, which stores nothing. */
    private static PodDisruptionBudget checkAndDecrement(String podName, PodDisruptionBudget pdb, boolean dryRun,
                                                         Instant now) {
        String name = pdb.getMetadata().getName();
        PodDisruptionBudget updated = new PodDisruptionBudgetBuilder(pdb).build();
        PodDisruptionBudgetStatus status = Optional.ofNullable(updated.getStatus())
                .orElseGet(PodDisruptionBudgetStatus::new);
        if (orZero(status.getObservedGeneration()) < orZero(pdb.getMetadata().getGeneration())) {
            throw tooManyRequests(10, "The disruption budget " + name + " is still being processed by the server.");
        }
        int allowed = orZero(status.getDisruptionsAllowed());
        Map<String, String> disrupted = new LinkedHashMap<>(Optional.ofNullable(status.getDisruptedPods())
                .orElse(Map.of()));
        if (allowed < 0) {
            throw forbidden(name, "pdb disruptions allowed is negative");
        }
        if (disrupted.size() > MAX_DISRUPTED_PODS) {
            throw forbidden(name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        }
        if (allowed == 0) {
            throw tooManyRequests(0, "The disruption budget " + name + " needs " + orZero(status.getDesiredHealthy())
                    + " healthy pods and has " + orZero(status.getCurrentHealthy()) + " currently");
        }
        if (dryRun) {
            return null;
        }
        status.setDisruptionsAllowed(allowed - 1);
        if (allowed - 1 == 0) {
            DisruptionBudgets.updateDisruptionAllowedCondition(status, now);
        }
        // The controller then counts the pod as gone, until it is deleted or the entry expires (DeletionTimeout).
        disrupted.put(podName, now.truncatedTo(ChronoUnit.SECONDS).toString());
        status.setDisruptedPods(disrupted);
        updated.setStatus(status);
        return updated;
    }

    /** errors.NewTooManyRequests with a DisruptionBudget cause (policyv1.DisruptionBudgetCause). */
    private static ApiError tooManyRequests(int retryAfterSeconds, String cause) {
        ObjectNode details = ApiError.emptyDetails();
        details.putArray("causes").addObject().put("reason", "DisruptionBudget").put("message", cause);
        if (retryAfterSeconds > 0) {
            details.put("retryAfterSeconds", retryAfterSeconds);
        }
        return new ApiError(429, "TooManyRequests", VIOLATES_BUDGET, details);
    }

    /** errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, err). */
    private static ApiError forbidden(String name, String why) {
        ObjectNode details = ApiError.emptyDetails().put("name", name).put("group", "policy")
                .put("kind", "poddisruptionbudget");
        return new ApiError(403, "Forbidden", "poddisruptionbudget.policy \"" + name + "\" is forbidden: " + why,
                details);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
