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
        public List<IncidentView> incidents(String node, String state, int limit, String before) {
            asked.add(node + "," + state + "," + limit + "," + before);
            int from = before == null ? 0 : all.stream().map(IncidentView::id).toList().indexOf(before) + 1;
            return all.subList(from, all.size()).stream().filter(i -> node == null || node.equals(i.node()))
                    .filter(i -> state == null || state.equals(i.state())).limit(limit).toList();
        }

        @Override
        public IncidentView incident(String id) {
            asked.add(id);
            return all.stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
        }
    }, Duration.ofSeconds(30), Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void pages_the_copy_holds_whole_ask_nothing() {
        all.add(incident("i3", "node001", "open"));
        all.add(incident("i2", "node002", "recovered"));
        all.add(incident("i1", "node001", "failed"));
        model.refresh();
        asked.clear();

        assertThat(ids(model.page("node001", null, 50, null))).containsExactly("i3", "i1");
        assertThat(ids(model.page(null, "open", 500, null))).containsExactly("i3");
        IncidentPage first = model.page(null, null, 2, null);
        assertThat(ids(first)).containsExactly("i3", "i2");
        assertThat(first.nextCursor()).isEqualTo("i2");
        assertThat(first.observedAt()).isEqualTo(T0);
        IncidentPage last = model.page(null, null, 2, first.nextCursor());
        assertThat(ids(last)).containsExactly("i1");
        assertThat(last.nextCursor()).isNull();
        assertThat(model.page(null, null, 3, null).nextCursor()).as("a page that ends the list").isNull();
        assertThat(model.page("node003", null, 50, null).items()).isEmpty();
        assertThat(model.incident("i2").node()).isEqualTo("node002");
        assertThat(asked).isEmpty();
    }

    @Test
    void with_a_full_copy_a_page_reaching_past_its_oldest_is_forwarded_and_an_unknown_id_too() {
        IntStream.range(0, IncidentReadModel.PAGE + 10).forEach(i -> all.add(incident("i" + (1000 - i),
                i % 100 == 0 ? "node001" : "node002", i == IncidentReadModel.PAGE + 5 ? "open" : "recovered")));
        model.refresh();
        asked.clear();

        // node001 has five in the copy (i1000, i900 ... i600) and one older (i500).
        IncidentPage first = model.page("node001", null, 4, null);
        assertThat(ids(first)).containsExactly("i1000", "i900", "i800", "i700");
        assertThat(first.nextCursor()).isEqualTo("i700");
        assertThat(asked).isEmpty();
        IncidentPage beyond = model.page("node001", null, 2, first.nextCursor());
        assertThat(ids(beyond)).containsExactly("i600", "i500");
        assertThat(beyond.nextCursor()).isNull();
        assertThat(asked).containsExactly("node001,null,3,i700");
        // The open one is older than the newest 500, but the copy of the open incidents holds it.
        assertThat(ids(model.page(null, "open", 500, null))).containsExactly("i495");
        assertThat(model.incident("i495").state()).isEqualTo("open");
        assertThat(model.incident("i491").id()).isEqualTo("i491");
        assertThat(asked).containsExactly("node001,null,3,i700", "i491");
    }

    @Test
    void before_the_first_fetch_reads_fail_with_a_503() {
        assertThatThrownBy(() -> model.page(null, null, 50, null))
                .isInstanceOfSatisfying(Upstream.UnavailableException.class,
                        e -> assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining("the gateway has no list of the incidents since it started");
    }

    private static List<String> ids(IncidentPage page) {
        return page.items().stream().map(IncidentView::id).toList();
    }

    private static IncidentView incident(String id, String node, String state) {
        return new IncidentView(id, node, state.equals("open") ? "fenced" : state, state, null, null, T0, null,
                List.of(), Map.of(), null, List.of(), T0);
    }
}
