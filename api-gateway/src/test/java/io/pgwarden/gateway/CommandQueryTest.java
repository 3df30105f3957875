package io.pgwarden.gateway;

import io.pgwarden.contracts.event.CommandState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandQueryTest {

    @Test
    void a_cursor_names_the_position_the_page_ended_at() {
        CommandQuery query = CommandQuery.of("db1/pg-a", "node001", "RUNNING", "3", CommandQuery.cursor(42));

        assertThat(query).isEqualTo(new CommandQuery(List.of("db1/pg-a", "node001"), "RUNNING", 42L, 3));
        assertThat(CommandQuery.cursor(42)).matches(CommandsResource.CURSOR_PATTERN);
    }

    @Test
    void without_parameters_it_is_the_first_page_of_everything_at_the_default_size() {
        assertThat(CommandQuery.of(null, null, null, null, null))
                .isEqualTo(new CommandQuery(List.of(), null, null, CommandQuery.DEFAULT_LIMIT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "Y29tbWFuZHM6", "Y29tbWFuZHM6LTE", "Y29tbWFuZHM6eA", "YWN0aXZpdHk6NDI", "!!"})
    void a_cursor_that_is_not_one_of_ours_is_refused(String cursor) {
        assertThatThrownBy(() -> CommandQuery.of(null, null, null, null, cursor))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("send nextCursor back");
    }

    @Test
    void the_state_filter_knows_every_state_a_command_can_show() {
        List<String> states = Arrays.stream(CommandState.values()).map(Enum::name).toList();
        assertThat(states).allMatch(s -> s.matches(CommandQuery.STATE_PATTERN));
        assertThat(CommandView.SUBMITTED).matches(CommandQuery.STATE_PATTERN);
        assertThat("running").doesNotMatch(CommandQuery.STATE_PATTERN);
    }
}
