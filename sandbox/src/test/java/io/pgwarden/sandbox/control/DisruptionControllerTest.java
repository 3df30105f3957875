package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The status the disruption controller computes for a PodDisruptionBudget. */
class DisruptionControllerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T22:00:00Z");
    private final DisruptionController controller = new DisruptionController(null, null, Duration.ofMinutes(2), null);

    private static final StatefulSet SET = new StatefulSetBuilder().withNewMetadata().withName("db")
            .withNamespace("default").withUid("set-uid").endMetadata().withNewSpec().withReplicas(3).endSpec().build();

    private static Pod pod(int ordinal, boolean ready) {
        return new PodBuilder().withNewMetadata().withName("db-" + ordinal).withNamespace("default")
                .withLabels(Map.of("app", "db")).addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName("db").withUid("set-uid").withController(true).endOwnerReference().endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    private static PodDisruptionBudgetBuilder budget() {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName("db").withNamespace("default")
                .withGeneration(2L).endMetadata().withNewSpec().withNewSelector()
                .withMatchLabels(Map.of("app", "db")).endSelector().endSpec();
    }

    private PodDisruptionBudgetStatus status(PodDisruptionBudget pdb, List<Pod> pods) {
        return controller.status(pdb, new ClusterView(Map.of(), Map.of(), pods, List.of(), Map.of(), List.of(),
                List.of(SET), List.of(), List.of(pdb)), NOW);
    }

    private static String figures(PodDisruptionBudgetStatus s) {
        return "expected " + s.getExpectedPods() + " desired " + s.getDesiredHealthy() + " current "
                + s.getCurrentHealthy() + " allowed " + s.getDisruptionsAllowed();
    }

    private static List<Pod> pods(boolean... ready) {
        return IntStream.range(0, ready.length).mapToObj(i -> pod(i, ready[i])).toList();
    }

    @Test
    void maxUnavailableCountsFromTheStatefulSetsReplicas() {
        PodDisruptionBudget pdb = budget().editSpec().withMaxUnavailable(new IntOrString(1)).endSpec().build();

        PodDisruptionBudgetStatus s = status(pdb, pods(true, true));

        assertThat(figures(s)).isEqualTo("expected 3 desired 2 current 2 allowed 0");
        assertThat(s.getObservedGeneration()).isEqualTo(2L);
        assertThat(s.getConditions()).singleElement().satisfies(c -> assertThat(c.getType() + " " + c.getStatus()
                + " " + c.getReason()).isEqualTo("DisruptionAllowed False InsufficientPods"));
    }

    @Test
    void minAvailableAsANumberCountsThePodsAsAPercentTheScaleRoundedUp() {
        assertThat(figures(status(budget().editSpec().withMinAvailable(new IntOrString(1)).endSpec().build(),
                pods(true, true)))).isEqualTo("expected 2 desired 1 current 2 allowed 1");
        assertThat(figures(status(budget().editSpec().withMinAvailable(new IntOrString("50%")).endSpec().build(),
                pods(true, true, true)))).isEqualTo("expected 3 desired 2 current 3 allowed 1");
        assertThat(figures(status(budget().editSpec().withMinAvailable(new IntOrString(0)).endSpec().build(),
                pods(false)))).isEqualTo("expected 1 desired 0 current 0 allowed 0");
    }

    @Test
    void terminatingAndRecentlyDisruptedPodsAreNotHealthyAndOldEntriesExpire() {
        Pod terminating = new PodBuilder(pod(0, true)).editMetadata().withDeletionTimestamp(NOW.toString())
                .endMetadata().build();
        PodDisruptionBudget pdb = budget().editSpec().withMinAvailable(new IntOrString(1)).endSpec().withNewStatus()
                .withDisruptedPods(Map.of("db-0", NOW.toString(), "db-1", NOW.minusSeconds(60).toString(),
                        "db-2", NOW.minusSeconds(121).toString())).endStatus().build();

        PodDisruptionBudgetStatus s = status(pdb, List.of(terminating, pod(1, true), pod(2, true)));

        assertThat(s.getDisruptedPods()).containsOnlyKeys("db-1");
        assertThat(figures(s)).isEqualTo("expected 3 desired 1 current 1 allowed 0");
    }

    @Test
    void aPodWithoutAKnownControllerFailsTheSyncSafe() {
        Pod orphan = new PodBuilder(pod(0, true)).editMetadata().editFirstOwnerReference().withUid("other")
                .endOwnerReference().endMetadata().build();
        PodDisruptionBudget pdb = budget().editSpec().withMaxUnavailable(new IntOrString(1)).endSpec().withNewStatus()
                .withDisruptionsAllowed(3).withObservedGeneration(1L).endStatus().build();

        PodDisruptionBudgetStatus s = status(pdb, List.of(orphan));

        assertThat(s.getDisruptionsAllowed()).isZero();
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getConditions()).singleElement().satisfies(c -> assertThat(c.getReason() + ": " + c.getMessage())
                .isEqualTo("SyncFailed: found no controllers for pod \"db-0\""));
    }

    @Test
    void aComputedStatusIsStableSoItIsWrittenOnce() {
        PodDisruptionBudget pdb = budget().editSpec().withMaxUnavailable(new IntOrString(0)).endSpec().build();
        PodDisruptionBudgetStatus first = status(pdb, pods(true));

        PodDisruptionBudgetStatus second = controller.status(new PodDisruptionBudgetBuilder(pdb).withStatus(first)
                .build(), new ClusterView(Map.of(), Map.of(), pods(true), List.of(), Map.of(), List.of(),
                List.of(SET), List.of(), List.of()), NOW.plusSeconds(30));

        assertThat(second).isEqualTo(first);
    }
}
