package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which pods the pod GC force-deletes. */
class PodGcRulesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final PodGarbageCollector gc = new PodGarbageCollector(null, Clock.fixed(T0, java.time.ZoneOffset.UTC),
            Duration.ofSeconds(20), Duration.ofSeconds(40), null);

    private static Node node(boolean ready, String outOfServiceEffect) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "Unknown")
                .endCondition().endStatus();
        if (outOfServiceEffect != null) {
            node.editSpec().addToTaints(new TaintBuilder().withKey(Names.TAINT_OUT_OF_SERVICE)
                    .withValue("nodeshutdown").withEffect(outOfServiceEffect).build()).endSpec();
        }
        return node.build();
    }

    private static Pod pod(String node, boolean terminating) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("default")
                .withDeletionTimestamp(terminating ? T0.toString() : null).endMetadata()
                .withNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase("Running").endStatus().build();
    }

    private static ClusterView view(List<Node> nodes, Pod pod) {
        Map<String, Node> byName = new java.util.LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
        return new ClusterView(byName, Map.of(), List.of(pod), List.of(), Map.of(), List.of(), List.of(), List.of(),
                List.of());
    }

    @Test
    void onlyTerminatingPodsOnNotReadyOutOfServiceNodesAreCollected() {
        assertThat(gc.collectable(view(List.of(node(false, "NoExecute")), pod("n1", true)), T0)).hasSize(1);
        assertThat(gc.collectable(view(List.of(node(false, "NoSchedule")), pod("n1", true)), T0)).hasSize(1);
        assertThat(gc.collectable(view(List.of(node(false, "NoExecute")), pod("n1", false)), T0)).isEmpty();
        assertThat(gc.collectable(view(List.of(node(true, "NoExecute")), pod("n1", true)), T0)).isEmpty();
        assertThat(gc.collectable(view(List.of(node(false, null)), pod("n1", true)), T0)).isEmpty();
    }

    @Test
    void podsOfAMissingNodeAreCollectedAfterTheQuarantine() {
        ClusterView orphaned = view(List.of(), pod("gone", false));
        assertThat(gc.collectable(orphaned, T0)).isEmpty();
        assertThat(gc.collectable(orphaned, T0.plusSeconds(39))).isEmpty();
        List<PodGarbageCollector.Collected> collected = gc.collectable(orphaned, T0.plusSeconds(40));
        assertThat(collected).hasSize(1);
        assertThat(collected.get(0).condition().getReason()).isEqualTo("DeletionByPodGC");
    }

    @Test
    void nodeBackWithinTheQuarantineStartsItAgain() {
        ClusterView orphaned = view(List.of(), pod("n1", false));
        assertThat(gc.collectable(orphaned, T0)).isEmpty();
        assertThat(gc.collectable(view(List.of(node(true, null)), pod("n1", false)), T0.plusSeconds(20))).isEmpty();
        assertThat(gc.collectable(orphaned, T0.plusSeconds(45))).isEmpty();
        assertThat(gc.collectable(orphaned, T0.plusSeconds(85))).hasSize(1);
    }
}
