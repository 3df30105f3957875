package io.pgwarden.gateway;

import io.pgwarden.contracts.Topics;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCursorTest {

    @Test
    void a_cursor_reads_back_as_it_was_written() {
        EventCursor cursor = new EventCursor(Map.of(new TopicPartition(Topics.NODE_HEALTH, 2), 40L,
                new TopicPartition(Topics.ACTIVITY, 0), 12L, new TopicPartition(Topics.COMMAND_STATUS, 1), 0L));

        assertThat(cursor.encode()).isEqualTo("a0_12.c1_0.h2_40");
        assertThat(EventCursor.parse(cursor.encode())).isEqualTo(cursor);
        assertThat(cursor.next(new TopicPartition(Topics.ACTIVITY, 0))).isEqualTo(12L);
        assertThat(cursor.next(new TopicPartition(Topics.ACTIVITY, 1))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "x0_1", "a0", "a_1", "a-1_2", "a0_-1", "a0_1.a0_2", "a0_1.", "a0_99999999999999999999",
            "a0_1;DROP TABLE", "h0_1..c0_2"})
    void anything_else_is_refused_with_a_reason_that_says_what_to_send(String text) {
        assertThatThrownBy(() -> EventCursor.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("send an event's id back as it came");
    }

    @Test
    void an_overlong_cursor_is_refused() {
        assertThatThrownBy(() -> EventCursor.parse("a0_1.".repeat(500) + "a1_1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
