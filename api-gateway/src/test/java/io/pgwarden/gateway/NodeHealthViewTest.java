package io.pgwarden.gateway;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeHealthViewTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private static NodeHealthChanged event(String node, long sequence, boolean deleted, String... taints) {
        return new NodeHealthChanged(node, NodeReadiness.READY, null, false, List.of(taints), NodeLiveness.ALIVE, null,
                null, null, null, deleted, "1", T0.plusSeconds(sequence), sequence);
    }

    @Test
    void the_highest_sequence_wins_whatever_the_arrival_order() {
        NodeHealthView view = new NodeHealthView();

        assertThat(view.apply(event("node001", 4, false))).isTrue();
        assertThat(view.apply(event("node001", 3, false))).isFalse();
        assertThat(view.apply(event("node001", 4, false))).isFalse();

        assertThat(view.nodes()).extracting(NodeHealthChanged::sequence).containsExactly(4L);
    }

    @Test
    void a_deleted_node_is_not_listed_and_an_older_event_does_not_bring_it_back_but_a_newer_one_does() {
        NodeHealthView view = new NodeHealthView();
        view.apply(event("node002", 1, false));
        view.apply(event("node001", 1, false));
        view.apply(event("node002", 2, true));
        view.apply(event("node002", 1, false));

        assertThat(view.nodes()).extracting(NodeHealthChanged::node).containsExactly("node001");

        view.apply(event("node002", 3, false));
        assertThat(view.nodes()).extracting(NodeHealthChanged::node).containsExactly("node001", "node002");
    }

    @Test
    void fenced_means_the_out_of_service_taint_whatever_its_value_and_effect() {
        assertThat(NodeView.of(event("n", 1, false, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"), null)
                .fenced()).isTrue();
        assertThat(NodeView.of(event("n", 1, false, "node.kubernetes.io/out-of-service:NoSchedule"), null).fenced())
                .isTrue();
        assertThat(NodeView.of(event("n", 1, false, "node.kubernetes.io/unreachable:NoExecute",
                "node.kubernetes.io/out-of-service-soon=x:NoExecute"), null).fenced()).isFalse();
    }
}
