package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's filters and scores. */
class SchedulingRulesTest {
    private static final Instant ADDED = Instant.parse("2026-01-01T00:00:00Z");

    private static Node node(boolean ready, boolean unschedulable, Taint... taints) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withUnschedulable(unschedulable).withTaints(taints).endSpec().withNewStatus().addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "Unknown").endCondition().endStatus().build();
    }

    private static Pod pod(String toleratedKey) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec();
        if (toleratedKey != null) {
            pod.editSpec().addToTolerations(new TolerationBuilder().withKey(toleratedKey).withOperator("Exists")
                    .build()).endSpec();
        }
        return pod.build();
    }

    private static Taint taint(String key, String effect) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(ADDED.toString()).build();
    }

    @Test
    void cordonedOrUntoleratedTaintedNodesAreFilteredOut() {
        assertThat(Scheduler.fits(pod(null), node(true, false))).isTrue();
        assertThat(Scheduler.fits(pod(null), node(true, true))).isFalse();
        assertThat(Scheduler.fits(pod(NodeLifecycleController.TAINT_UNSCHEDULABLE), node(true, true))).isTrue();
        Taint noSchedule = new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build();
        assertThat(Scheduler.fits(pod(null), node(true, false, noSchedule))).isFalse();
        Taint prefer = new TaintBuilder().withKey("x").withEffect("PreferNoSchedule").build();
        assertThat(Scheduler.fits(pod(null), node(true, false, prefer))).isTrue();
    }

    @Test
    void theSchedulerFiltersOnTaintsNotOnTheReadyCondition() {
        // A lost node is kept free of new pods by the node lifecycle controller's NoSchedule taint, not by its status.
        assertThat(Scheduler.fits(pod(null), node(false, false))).isTrue();
        assertThat(Scheduler.fits(pod(null), node(false, false, taint(Names.TAINT_UNREACHABLE, "NoSchedule"))))
                .isFalse();
        assertThat(Scheduler.fits(pod(Names.TAINT_UNREACHABLE),
                node(false, false, taint(Names.TAINT_UNREACHABLE, "NoSchedule")))).isTrue();
    }

    @Test
    void imageLocalityScoresTheImageSizeSpreadOverTheNodesThatHaveIt() {
        long mb = 1024 * 1024;
        // The sandbox's 100 MB image on one node of three is below the 23 MB floor once spread: no score at all.
        assertThat(Scheduler.imageLocality(100_000_000L, 1, 3)).isZero();
        assertThat(Scheduler.imageLocality(0, 1, 3)).isZero();
        assertThat(Scheduler.imageLocality(1000 * mb, 1, 1)).isEqualTo(100);
        assertThat(Scheduler.imageLocality(500 * mb, 1, 1)).isEqualTo(100 * (477 * mb) / (977 * mb));
    }

    @Test
    void leastAllocatedCountsEachPodAtTheSchedulersDefaultRequests() {
        Node node = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewStatus()
                .addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory", new Quantity("16Gi"))
                .endStatus().build();
        // The incoming pod alone: 100m of 4 CPUs (97) and 200Mi of 16Gi (98).
        assertThat(Scheduler.leastAllocated(node, 0)).isEqualTo((97 + 98) / 2);
        assertThat(Scheduler.leastAllocated(node, 0)).isGreaterThan(Scheduler.leastAllocated(node, 1));
    }

    @Test
    void everyBestNodeIsACandidate() {
        Node a = node(true, false);
        a.getMetadata().setName("a");
        Node b = node(true, false);
        b.getMetadata().setName("b");
        Node c = node(true, false);
        c.getMetadata().setName("c");
        assertThat(Scheduler.best(List.of(a, b, c), n -> n.getMetadata().getName().equals("c") ? 1 : 2))
                .containsExactly(a, b);
    }
}
