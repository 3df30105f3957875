package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.control.NodeLifecycleController.ZoneState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The node lifecycle controller's zone states, tainting rates and NoSchedule taints. */
class NodeLifecycleRulesTest {
    private static final Duration PRIMARY = Duration.ofSeconds(10);
    private static final Duration SECONDARY = Duration.ofSeconds(100);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void zoneWithoutReadyNodeIsFullyDisruptedAndMoreThanTwoAtTheThresholdPartially() {
        assertThat(NodeLifecycleController.zoneState(3, 0)).isEqualTo(ZoneState.NORMAL);
        assertThat(NodeLifecycleController.zoneState(0, 3)).isEqualTo(ZoneState.FULL_DISRUPTION);
        assertThat(NodeLifecycleController.zoneState(0, 1)).isEqualTo(ZoneState.FULL_DISRUPTION);
        assertThat(NodeLifecycleController.zoneState(1, 3)).isEqualTo(ZoneState.PARTIAL_DISRUPTION);
        // Two not Ready are never a partial disruption, whatever the share.
        assertThat(NodeLifecycleController.zoneState(1, 2)).isEqualTo(ZoneState.NORMAL);
        assertThat(NodeLifecycleController.zoneState(9, 11)).isEqualTo(ZoneState.PARTIAL_DISRUPTION);
        assertThat(NodeLifecycleController.zoneState(10, 12)).isEqualTo(ZoneState.NORMAL);
    }

    @Test
    void partiallyDisruptedSmallZoneTaintsNothingLargeOneSlowly() {
        assertThat(NodeLifecycleController.taintInterval(ZoneState.NORMAL, 3, PRIMARY, SECONDARY)).contains(PRIMARY);
        assertThat(NodeLifecycleController.taintInterval(ZoneState.PARTIAL_DISRUPTION, 50, PRIMARY, SECONDARY))
                .isEmpty();
        assertThat(NodeLifecycleController.taintInterval(ZoneState.PARTIAL_DISRUPTION, 51, PRIMARY, SECONDARY))
                .contains(SECONDARY);
        // One fully disrupted zone among healthy ones is tainted at the normal rate (HealthyQPSFunc).
        assertThat(NodeLifecycleController.taintInterval(ZoneState.FULL_DISRUPTION, 3, PRIMARY, SECONDARY))
                .contains(PRIMARY);
    }

    @Test
    void zoneComesFromTheTopologyLabelsAndNoneIsOneZone() {
        assertThat(NodeLifecycleController.zone(node("Ready", "True", false))).isEmpty();
        Node zoned = node("Ready", "True", false);
        zoned.getMetadata().setLabels(java.util.Map.of("topology.kubernetes.io/zone", "a",
                "topology.kubernetes.io/region", "r"));
        assertThat(NodeLifecycleController.zone(zoned)).isEqualTo("r:\0:a");
    }

    @Test
    void taintQueueHandsOutOneNodePerIntervalInOrderAndNothingWhenStopped() {
        TaintQueue queue = new TaintQueue(PRIMARY);
        queue.add("a");
        queue.add("b");
        queue.add("a");
        List<String> tainted = new ArrayList<>();
        queue.taint(T0, tainted::add);
        assertThat(tainted).containsExactly("a");
        queue.taint(T0.plusSeconds(9), tainted::add);
        assertThat(tainted).containsExactly("a");
        queue.taint(T0.plusSeconds(10), tainted::add);
        assertThat(tainted).containsExactly("a", "b");

        queue.add("c");
        queue.swap(Optional.empty(), T0.plusSeconds(100));
        queue.taint(T0.plusSeconds(1000), tainted::add);
        assertThat(tainted).containsExactly("a", "b");
        // Back from a stopped rate, the first token comes one interval later (the old limiter had none to give).
        queue.swap(Optional.of(PRIMARY), T0.plusSeconds(1000));
        queue.taint(T0.plusSeconds(1000), tainted::add);
        assertThat(tainted).containsExactly("a", "b");
        queue.taint(T0.plusSeconds(1010), tainted::add);
        assertThat(tainted).containsExactly("a", "b", "c");
    }

    @Test
    void swappedRateStartsWithoutTokenWhenTheOldHadNone() {
        TaintQueue queue = new TaintQueue(PRIMARY);
        assertThat(queue.tryAccept(T0)).isTrue();
        queue.swap(Optional.of(SECONDARY), T0.plusSeconds(1));
        assertThat(queue.tryAccept(T0.plusSeconds(100))).isFalse();
        assertThat(queue.tryAccept(T0.plusSeconds(101))).isTrue();
    }

    @Test
    void noScheduleTaintsMirrorTheConditionsAndCordon() {
        assertThat(NodeLifecycleController.noScheduleTaints(node("Ready", "True", false))).isEmpty();
        assertThat(NodeLifecycleController.noScheduleTaints(node("Ready", "False", false)))
                .containsExactly(Names.TAINT_NOT_READY);
        assertThat(NodeLifecycleController.noScheduleTaints(node("Ready", "Unknown", true)))
                .containsExactlyInAnyOrder(Names.TAINT_UNREACHABLE, NodeLifecycleController.TAINT_UNSCHEDULABLE);
        assertThat(NodeLifecycleController.noScheduleTaints(node("MemoryPressure", "True", false)))
                .containsExactly("node.kubernetes.io/memory-pressure");
        assertThat(NodeLifecycleController.noScheduleTaints(node("MemoryPressure", "False", false))).isEmpty();
    }

    private static Node node(String condition, String status, boolean unschedulable) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withUnschedulable(unschedulable).endSpec().withNewStatus().addNewCondition().withType(condition)
                .withStatus(status).endCondition().endStatus().build();
    }
}
