package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's filters and the taint-eviction deadline. */
class SchedulingRulesTest {
    private static final Instant ADDED = Instant.parse("2026-01-01T00:00:00Z");

    private static Node node(boolean ready, boolean unschedulable, Taint... taints) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withUnschedulable(unschedulable).withTaints(taints).endSpec().withNewStatus().addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "Unknown").endCondition().endStatus().build();
    }

    private static Pod pod(Long unreachableSeconds) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec();
        if (unreachableSeconds != null) {
            pod.editSpec().addToTolerations(new TolerationBuilder().withKey(Names.TAINT_UNREACHABLE)
                    .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(unreachableSeconds).build())
                    .endSpec();
        }
        return pod.build();
    }

    private static Taint unreachable() {
        return new TaintBuilder().withKey(Names.TAINT_UNREACHABLE).withEffect("NoExecute")
                .withTimeAdded(ADDED.toString()).build();
    }

    @Test
    void cordonedNotReadyOrUntoleratedTaintedNodesAreFilteredOut() {
        assertThat(Scheduler.fits(pod(null), node(true, false))).isTrue();
        assertThat(Scheduler.fits(pod(null), node(true, true))).isFalse();
        assertThat(Scheduler.fits(pod(null), node(false, false))).isFalse();
        Taint noSchedule = new TaintBuilder().withKey("dedicated").withValue("db").withEffect("NoSchedule").build();
        assertThat(Scheduler.fits(pod(null), node(true, false, noSchedule))).isFalse();
        Taint prefer = new TaintBuilder().withKey("x").withEffect("PreferNoSchedule").build();
        assertThat(Scheduler.fits(pod(null), node(true, false, prefer))).isTrue();
    }

    @Test
    void podIsEvictedWhenItsTolerationSecondsHavePassed() {
        assertThat(NodeLifecycleController.evictionTime(pod(300L), List.of(unreachable())))
                .contains(ADDED.plusSeconds(300));
        assertThat(NodeLifecycleController.evictionTime(pod(null), List.of(unreachable()))).contains(ADDED);
        Pod forever = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addToTolerations(new TolerationBuilder().withOperator("Exists").build()).endSpec().build();
        assertThat(NodeLifecycleController.evictionTime(forever, List.of(unreachable()))).isEmpty();
    }
}
