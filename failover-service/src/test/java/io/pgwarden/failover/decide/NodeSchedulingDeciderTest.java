package io.pgwarden.failover.decide;

import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.failover.decide.NodeSchedulingDecider.SetUnschedulable;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NodeSchedulingDeciderTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void a_schedulable_node_is_patched_then_reported_cordoned_once_the_node_shows_it() {
        Decision<SetUnschedulable> first = NodeSchedulingDecider.decide(op(Operation.START), "node001", true,
                Optional.of(false));
        assertThat(first.next()).isEqualTo(Decision.Next.CONTINUE);
        assertThat(first.phase()).isEqualTo(NodeSchedulingDecider.PATCHING);
        assertThat(first.step()).isEqualTo("cordon");
        assertThat(first.actions()).containsExactly(new SetUnschedulable("node001", true));

        Decision<SetUnschedulable> done = NodeSchedulingDecider.decide(op(NodeSchedulingDecider.PATCHING), "node001",
                true, Optional.of(true));
        assertThat(done.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(done.outcome()).isEqualTo("cordoned node node001");
        assertThat(done.activities()).containsExactly(
                new Activity("node001", "NodeCordoned", true, "cordoned node node001"));
    }

    @Test
    void a_patch_not_yet_seen_in_the_node_is_sent_again_rather_than_assumed() {
        Decision<SetUnschedulable> again = NodeSchedulingDecider.decide(op(NodeSchedulingDecider.PATCHING), "node001",
                false, Optional.of(true));
        assertThat(again.next()).isEqualTo(Decision.Next.CONTINUE);
        assertThat(again.actions()).containsExactly(new SetUnschedulable("node001", false));
    }

    @Test
    void a_node_already_in_the_wanted_state_is_reported_unchanged() {
        Decision<SetUnschedulable> d = NodeSchedulingDecider.decide(op(Operation.START), "node001", false,
                Optional.of(false));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("node node001 was already schedulable");
        assertThat(d.actions()).isEmpty();
        assertThat(d.activities()).extracting(Activity::action, Activity::changed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("NodeAlreadySchedulable", false));
    }

    @Test
    void a_node_that_does_not_exist_fails_the_operation() {
        Decision<SetUnschedulable> d = NodeSchedulingDecider.decide(op(Operation.START), "node404", true,
                Optional.empty());
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("node node404 does not exist");
    }

    private static Operation op(String phase) {
        return new Operation("c1", 1, "CordonNode", "node001", "io.pgwarden.CordonNode", "c1", new byte[0], phase,
                Map.of(), CommandState.RUNNING, null, null, 0, T0, T0.plusSeconds(120), "r", T0.plusSeconds(30), 2,
                T0, T0);
    }
}
