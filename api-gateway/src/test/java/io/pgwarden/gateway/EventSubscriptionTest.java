package io.pgwarden.gateway;

import io.pgwarden.contracts.Topics;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventSubscriptionTest {
    private static final TopicPartition A0 = new TopicPartition(Topics.ACTIVITY, 0);
    private static final TopicPartition H0 = new TopicPartition(Topics.NODE_HEALTH, 0);
    private static final EventFilter ALL = new EventFilter(null, null);
    private static final int HOLD = 1000;

    private final List<EventSubscription.Delivery> got = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    @Test
    void a_live_client_gets_each_event_once_with_the_id_that_resumes_after_it() {
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 5L, H0, 3L), false, HOLD, got::add, failures::add);

        client.live(event(A0, 5, "node001"));
        client.live(event(H0, 3, "node002"));
        client.live(event(A0, 5, "node001"));

        assertThat(got).extracting(EventSubscription.Delivery::id).containsExactly("a0_6.h0_3", "a0_6.h0_4");
    }

    @Test
    void a_resuming_client_gets_the_replay_then_the_live_events_held_meanwhile_without_gaps_or_repeats() {
        // Cursor a0_2; the live part begins at a0_4 (the tail stood there when the client joined).
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 2L), true, HOLD, got::add, failures::add);

        client.live(event(A0, 4, "n"));
        client.live(event(A0, 5, "n"));
        client.replay(event(A0, 2, "n"));
        client.replay(event(A0, 3, "n"));
        assertThat(got).hasSize(2);
        client.replayed();
        client.live(event(A0, 6, "n"));

        assertThat(got).extracting(d -> d.event().offset()).containsExactly(2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void a_resume_past_retention_is_told_the_gap_first_whatever_its_filter_and_goes_on_from_the_start() {
        // Cursor a0_2, but the topic now starts at a0_7: 2 to 6 are gone.
        EventSubscription client = new EventSubscription(new EventFilter(null, "node001"), Map.of(A0, 2L), true, HOLD,
                got::add, failures::add);

        client.gap(A0, 2, 7);
        client.replay(event(A0, 7, "node001"));
        client.replayed();

        assertThat(got).extracting(d -> d.event().name()).containsExactly(StreamEvent.GAP, "activity");
        assertThat(got.get(0).event().data()).isEqualTo("{\"topic\":\"" + Topics.ACTIVITY
                + "\",\"partition\":0,\"from\":2,\"earliest\":7,\"missed\":5}");
        assertThat(got).extracting(EventSubscription.Delivery::id).containsExactly("a0_7", "a0_8");
    }

    @Test
    void a_replay_so_slow_that_too_many_live_events_wait_for_it_ends_the_stream() {
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 0L), true, 2, got::add, failures::add);

        client.live(event(A0, 10, "n"));
        client.live(event(A0, 11, "n"));
        assertThat(failures).isEmpty();
        client.live(event(A0, 12, "n"));
        client.replay(event(A0, 0, "n"));
        client.replayed();

        assertThat(failures).singleElement().extracting(Throwable::getMessage).asString()
                .startsWith("more than 2 live events waited for the replay");
        assertThat(client.closed()).isTrue();
        assertThat(got).isEmpty();
    }

    @Test
    void events_before_the_cursor_are_not_given_again() {
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 10L), false, HOLD, got::add, failures::add);

        client.live(event(A0, 9, "n"));
        client.live(event(A0, 10, "n"));

        assertThat(got).extracting(d -> d.event().offset()).containsExactly(10L);
    }

    @Test
    void a_partition_the_cursor_does_not_name_is_given_from_its_beginning() {
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 10L), true, HOLD, got::add, failures::add);

        client.replay(event(H0, 0, "n"));
        client.replayed();

        assertThat(got).extracting(EventSubscription.Delivery::id).containsExactly("a0_10.h0_1");
    }

    @Test
    void events_the_filter_hides_still_move_the_cursor_so_a_resume_does_not_read_them_again() {
        EventSubscription client = new EventSubscription(new EventFilter(null, "node001"), Map.of(A0, 0L, H0, 0L),
                false, HOLD, got::add, failures::add);

        client.live(event(H0, 0, "node002"));
        client.live(event(H0, 1, "node002"));
        client.live(event(A0, 0, "node001"));

        assertThat(got).extracting(EventSubscription.Delivery::id).containsExactly("a0_1.h0_2");
    }

    @Test
    void a_cluster_or_node_filter_takes_events_naming_either() {
        EventFilter both = new EventFilter("db1/pg-a", "node001");

        assertThat(both.matches(event(A0, 0, "db1/pg-a"))).isTrue();
        assertThat(both.matches(event(A0, 0, "node001"))).isTrue();
        assertThat(both.matches(event(A0, 0, "db1/pg-b"))).isFalse();
        assertThat(new EventFilter("db1/pg-a", null).matches(event(A0, 0, "node001"))).isFalse();
        assertThat(ALL.matches(event(A0, 0, "anything"))).isTrue();
    }

    @Test
    void a_closed_client_gets_nothing_more_and_a_failed_one_is_told() {
        EventSubscription client = new EventSubscription(ALL, Map.of(A0, 0L), false, HOLD, got::add, failures::add);

        client.fail(new IllegalStateException("broker away"));
        client.live(event(A0, 0, "n"));

        assertThat(got).isEmpty();
        assertThat(failures).extracting(Throwable::getMessage).containsExactly("broker away");
        assertThat(client.closed()).isTrue();
    }

    private static StreamEvent event(TopicPartition partition, long offset, String name) {
        return new StreamEvent(partition, offset, "activity", "{}", Set.of(name));
    }
}
