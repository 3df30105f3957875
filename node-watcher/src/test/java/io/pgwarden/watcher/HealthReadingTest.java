package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.contracts.event.PodHealthChanged;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthReadingTest {

    @Test
    void an_unreachable_cordoned_node_reads_unknown_with_its_taints() {
        Node node = new NodeBuilder().withNewMetadata().withName("node001").endMetadata()
                .withNewSpec().withUnschedulable(true)
                .addNewTaint().withKey("node.kubernetes.io/unreachable").withEffect("NoExecute").endTaint()
                .addNewTaint().withKey("dedicated").withValue("db").withEffect("NoSchedule").endTaint()
                .endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("Unknown")
                .withReason("NodeStatusUnknown").endCondition().endStatus()
                .build();

        assertThat(HealthReading.of(node)).isEqualTo(new NodeHealthChanged("node001", NodeReadiness.UNKNOWN,
                "NodeStatusUnknown", true,
                List.of("node.kubernetes.io/unreachable:NoExecute", "dedicated=db:NoSchedule"), false, null,
                java.time.Instant.EPOCH, 1));
    }

    @Test
    void a_ready_node_and_a_node_never_heard_from() {
        Node ready = new NodeBuilder().withNewMetadata().withName("node002").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
        Node silent = new NodeBuilder().withNewMetadata().withName("node003").endMetadata().build();

        assertThat(HealthReading.of(ready).readiness()).isEqualTo(NodeReadiness.READY);
        assertThat(HealthReading.of(ready).unschedulable()).isFalse();
        assertThat(HealthReading.of(silent).readiness()).isEqualTo(NodeReadiness.UNKNOWN);
    }

    @Test
    void a_terminating_pod_on_a_lost_node() {
        Pod pod = new PodBuilder().withNewMetadata().withName("pg-rook-sf-0").withNamespace("default")
                .withDeletionTimestamp("2026-11-23T10:00:00Z")
                .addNewOwnerReference().withKind("StatefulSet").withName("pg-rook-sf").endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName("node001").endSpec()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus()
                .build();

        assertThat(HealthReading.of(pod)).isEqualTo(new PodHealthChanged("default", "pg-rook-sf-0", "pg-rook-sf",
                "node001", "Running", false, true, false, null, java.time.Instant.EPOCH, 1));
    }

    @Test
    void the_change_filter_passes_only_changes() {
        ChangeFilter<String> filter = new ChangeFilter<>();
        assertThat(filter.isChange("n", "READY")).isTrue();
        filter.published("n", "READY");
        assertThat(filter.isChange("n", "READY")).isFalse();
        assertThat(filter.isChange("n", "UNKNOWN")).isTrue();
        filter.forget("n");
        assertThat(filter.isChange("n", "READY")).isTrue();
    }
}
