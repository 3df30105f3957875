package io.pgwarden.operations.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.pgwarden.operations.core.Operations.T0;
import static org.assertj.core.api.Assertions.assertThat;

class RunQueueTest {

    @Test
    void the_subject_served_longest_ago_goes_first_so_a_busy_node_cannot_starve_another() {
        List<RunQueue.Head> heads = List.of(head("b1", "node004", T0), head("b2", "node005", T0),
                head("o1", "node003", T0.plusSeconds(1)));
        Map<String, Instant> served = Map.of("node004", T0.plusSeconds(2), "node005", T0.plusSeconds(3));

        assertThat(RunQueue.pick(heads, "me", T0.plusSeconds(4), Set.of(), served, 1)).containsExactly("o1");
        assertThat(RunQueue.pick(heads, "me", T0.plusSeconds(4), Set.of(), served, 3))
                .containsExactly("o1", "b1", "b2");
    }

    @Test
    void heads_that_are_not_due_running_here_or_claimed_by_another_live_runner_are_left() {
        List<RunQueue.Head> heads = List.of(
                head("later", "node001", T0.plusSeconds(10)),
                head("here", "node002", T0),
                new RunQueue.Head("theirs", "node003", T0, "other", T0.plusSeconds(30)),
                new RunQueue.Head("lapsed", "node004", T0, "other", T0.minusSeconds(1)),
                new RunQueue.Head("mine", "node005", T0, "me", T0.plusSeconds(30)));

        assertThat(RunQueue.pick(heads, "me", T0, Set.of("here"), Map.of(), 10)).containsExactly("lapsed", "mine");
        assertThat(RunQueue.pick(heads, "me", T0, Set.of(), Map.of(), 0)).isEmpty();
    }

    private static RunQueue.Head head(String id, String subject, Instant due) {
        return new RunQueue.Head(id, subject, due, null, null);
    }
}
