package io.pgwarden.sandbox.api;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What the eviction subresource decides from the pod and its namespace's PodDisruptionBudgets. */
class EvictionTest {
    private static final Instant NOW = Instant.parse("2026-11-26T22:00:00Z");

    private static Pod pod(String phase, boolean ready) {
        return new PodBuilder().withNewMetadata().withName("db-0").withNamespace("default")
                .withLabels(Map.of("app", "db")).endMetadata().withNewStatus().withPhase(phase).addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    /** A budget over app=db whose controller has seen its spec, with the given figures. */
    private static PodDisruptionBudget budget(String name, int allowed, int current, int desired) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withGeneration(1L).endMetadata().withNewSpec().withMaxUnavailable(new IntOrString(0))
                .withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector().endSpec().withNewStatus()
                .withObservedGeneration(1L).withDisruptionsAllowed(allowed).withCurrentHealthy(current)
                .withDesiredHealthy(desired).withExpectedPods(1).endStatus().build();
    }

    private static ApiError refusal(Pod pod, PodDisruptionBudget pdb) {
        return catchThrowableOfType(ApiError.class, () -> Eviction.decide(pod, List.of(pdb), false, NOW));
    }

    @Test
    void aBudgetAllowingNoDisruptionRefusesWith429AndItsCause() {
        ApiError refused = refusal(pod("Running", true), budget("db", 0, 1, 1));

        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(429);
        assertThat(refused.getMessage()).isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(refused.details().path("causes").get(0).path("reason").asText()).isEqualTo("DisruptionBudget");
        assertThat(refused.details().path("causes").get(0).path("message").asText())
                .isEqualTo("The disruption budget db needs 1 healthy pods and has 1 currently");
        assertThat(refused.details().has("retryAfterSeconds")).isFalse();
    }

    @Test
    void aBudgetTheControllerHasNotSeenYetAsksToRetryIn10Seconds() {
        PodDisruptionBudget fresh = new PodDisruptionBudgetBuilder(budget("db", 1, 1, 0)).editMetadata()
                .withGeneration(2L).endMetadata().build();

        ApiError refused = refusal(pod("Running", true), fresh);

        assertThat(refused.code()).isEqualTo(429);
        assertThat(refused.details().path("retryAfterSeconds").asInt()).isEqualTo(10);
        assertThat(refused.details().path("causes").get(0).path("message").asText())
                .isEqualTo("The disruption budget db is still being processed by the server.");
    }

    @Test
    void anAllowedEvictionSpendsADisruptionAndRecordsThePod() {
        Eviction.Decision decision = Eviction.decide(pod("Running", true), List.of(budget("db", 1, 1, 0)), false, NOW);

        PodDisruptionBudget stored = ((Eviction.Evict) decision).budget();
        assertThat(stored.getStatus().getDisruptionsAllowed()).isZero();
        assertThat(stored.getStatus().getDisruptedPods()).containsExactly(Map.entry("db-0", "2026-11-26T22:00:00Z"));
        assertThat(stored.getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getStatus() + "/" + c.getReason()).isEqualTo("False/InsufficientPods"));
    }

    @Test
    void aDryRunIsAllowedOrRefusedAlikeButStoresNothing() {
        assertThat(Eviction.decide(pod("Running", true), List.of(budget("db", 1, 1, 0)), true, NOW))
                .isEqualTo(new Eviction.Evict(null));
        assertThat(catchThrowableOfType(ApiError.class, () -> Eviction.decide(pod("Running", true),
                List.of(budget("db", 0, 1, 1)), true, NOW)).code()).isEqualTo(429);
    }

    @Test
    void podsThatAreNotRunningOrAlreadyTerminatingIgnoreBudgets() {
        for (String phase : new String[]{"Pending", "Succeeded", "Failed"}) {
            assertThat(Eviction.decide(pod(phase, false), List.of(budget("db", 0, 1, 1)), false, NOW))
                    .isEqualTo(new Eviction.Evict(null));
        }
        Pod terminating = new PodBuilder(pod("Running", true)).editMetadata().withDeletionTimestamp(NOW.toString())
                .endMetadata().build();
        assertThat(Eviction.decide(terminating, List.of(budget("db", 0, 1, 1)), false, NOW))
                .isEqualTo(new Eviction.Evict(null));
    }

    @Test
    void anUnreadyPodGoesFreelyWhileTheBudgetIsMetOrUnderAlwaysAllow() {
        Pod unready = pod("Running", false);
        assertThat(Eviction.decide(unready, List.of(budget("db", 0, 2, 2)), false, NOW))
                .isEqualTo(new Eviction.Evict(null));
        assertThat(refusal(unready, budget("db", 0, 0, 1)).code()).isEqualTo(429);
        PodDisruptionBudget alwaysAllow = new PodDisruptionBudgetBuilder(budget("db", 0, 0, 1)).editSpec()
                .withUnhealthyPodEvictionPolicy("AlwaysAllow").endSpec().build();
        assertThat(Eviction.decide(unready, List.of(alwaysAllow), false, NOW)).isEqualTo(new Eviction.Evict(null));
    }

    @Test
    void onlyBudgetsWhoseSelectorMatchesCountAndTwoAreUnsupported() {
        PodDisruptionBudget other = new PodDisruptionBudgetBuilder(budget("other", 0, 1, 1)).editSpec().editSelector()
                .withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build();
        PodDisruptionBudget empty = new PodDisruptionBudgetBuilder(budget("all", 0, 1, 1)).editSpec()
                .withNewSelector().endSelector().endSpec().build();
        assertThat(Eviction.decide(pod("Running", true), List.of(other, empty), false, NOW))
                .isEqualTo(new Eviction.Evict(null));

        assertThat(Eviction.decide(pod("Running", true), List.of(budget("a", 1, 1, 0), budget("b", 1, 1, 0)), false,
                NOW)).isEqualTo(new Eviction.Unsupported(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."));
    }
}
