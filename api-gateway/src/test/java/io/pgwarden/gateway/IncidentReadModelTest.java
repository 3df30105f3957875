package io.pgwarden.gateway;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IncidentReadModelTest {
    private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");

    /** failover-service: its incidents newest first; records what is asked of it. */
    private final List<IncidentView> all = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();
    private final IncidentReadModel model = new IncidentReadModel(new IncidentReadModel.Source() {
        @Override
        public List<IncidentView> incidents(String node, String state, String limit) {
            asked.add(node + "," + state + "," + limit);
            return all.stream().filter(i -> node == null || node.equals(i.node()))
                    .filter(i -> state == null || state.equals(i.state())).limit(Integer.parseInt(limit)).toList();
        }

        @Override
        public IncidentView incident(String id) {
            asked.add(id);
            return all.stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
        }
    }, Duration.ofSeconds(30), Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void queries_the_copy_answers_completely_ask_nothing() {
        all.add(incident("i3", "node001", "open"));
        all.add(incident("i2", "node002", "recovered"));
        all.add(incident("i1", "node001", "failed"));
        model.refresh();
        asked.clear();

        assertThat(model.incidents("node001", null, null)).extracting(IncidentView::id).containsExactly("i3", "i1");
        assertThat(model.incidents(null, "open", "500")).extracting(IncidentView::id).containsExactly("i3");
        assertThat(model.incidents(null, null, "2")).extracting(IncidentView::id).containsExactly("i3", "i2");
        assertThat(model.incidents("node003", null, null)).isEmpty();
        assertThat(model.incident("i2").node()).isEqualTo("node002");
        assertThat(asked).isEmpty();
    }

    @Test
    void with_a_full_copy_a_query_reaching_past_its_oldest_is_forwarded_and_an_unknown_id_too() {
        IntStream.range(0, IncidentReadModel.PAGE + 10).forEach(i -> all.add(incident("i" + (1000 - i),
                i % 100 == 0 ? "node001" : "node002", i == IncidentReadModel.PAGE + 5 ? "open" : "recovered")));
        model.refresh();
        asked.clear();

        // node001 has five in the copy (i1000, i900 ... i600) and one older (i500).
        assertThat(model.incidents("node001", null, "5")).hasSize(5);
        assertThat(asked).isEmpty();
        assertThat(model.incidents("node001", null, "6")).extracting(IncidentView::id).endsWith("i500");
        assertThat(asked).containsExactly("node001,null,6");
        // The open one is older than the newest 500, but the copy of the open incidents holds it.
        assertThat(model.incidents(null, "open", "500")).extracting(IncidentView::id).containsExactly("i495");
        assertThat(model.incident("i495").state()).isEqualTo("open");
        assertThat(model.incident("i491").id()).isEqualTo("i491");
        assertThat(asked).containsExactly("node001,null,6", "i491");
    }

    @Test
    void before_the_first_fetch_reads_fail_with_a_503() {
        assertThatThrownBy(() -> model.incidents(null, null, null))
                .isInstanceOfSatisfying(Upstream.UnavailableException.class,
                        e -> assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining("the gateway has no list of the incidents since it started");
    }

    private static IncidentView incident(String id, String node, String state) {
        return new IncidentView(id, node, state.equals("open") ? "fenced" : state, state, null, null, T0, null,
                List.of(), Map.of(), null, List.of(), T0);
    }
}
