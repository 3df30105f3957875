package io.pgwarden.operations.core;

import io.pgwarden.contracts.event.CommandState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pgwarden.operations.core.Operations.T0;
import static org.assertj.core.api.Assertions.assertThat;

class TransitionsTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(15));

    @Test
    void a_new_operation_is_accepted_with_status_one() {
        Transition t = Transitions.accepted(Operations.accepted("c1", "node001"));
        assertThat(t.statuses()).containsExactly(new Transition.Status(CommandState.ACCEPTED, null, null, 1));
    }

    @Test
    void the_first_step_publishes_running_two_and_a_repeated_step_publishes_nothing() {
        Operation op = Operations.accepted("c1", "node001");
        Transition first = Transitions.decided(op, Decision.act("patching", "cordon", List.of("patch")), T0);
        assertThat(first.statuses()).containsExactly(new Transition.Status(CommandState.RUNNING, "cordon", null, 2));
        assertThat(first.operation().phase()).isEqualTo("patching");
        assertThat(first.operation().nextAttemptAt()).isEqualTo(T0);

        Transition again = Transitions.decided(first.operation(), Decision.act("patching", "cordon", List.of("patch")),
                T0.plusSeconds(1));
        assertThat(again.statuses()).isEmpty();
        assertThat(again.operation().statusSequence()).isEqualTo(2);
    }

    @Test
    void a_final_decision_numbers_its_status_after_the_last_and_carries_its_activities() {
        Operation running = Transitions.decided(Operations.accepted("c1", "node001"),
                Decision.act("patching", "cordon", List.of()), T0).operation();
        Activity cordoned = new Activity("node001", "NodeCordoned", true, "cordoned node node001");
        Transition done = Transitions.decided(running, Decision.succeed("cordoned node node001", cordoned), T0);

        assertThat(done.statuses()).containsExactly(
                new Transition.Status(CommandState.SUCCEEDED, null, "cordoned node node001", 3));
        assertThat(done.activities()).containsExactly(cordoned);
        assertThat(done.operation().isFinal()).isTrue();
    }

    @Test
    void a_refusal_before_any_action_ends_rejected_with_its_reason() {
        Operation op = Operations.accepted("c1", "default/pg");
        Transition t = Transitions.decided(op, Decision.reject("replicas 3, not 1: scale it to 1 first"), T0);

        assertThat(t.statuses()).containsExactly(new Transition.Status(CommandState.REJECTED, null,
                "replicas 3, not 1: scale it to 1 first", 2));
        assertThat(t.operation().state()).isEqualTo(CommandState.REJECTED);
    }

    @Test
    void a_refusal_after_an_action_was_announced_ends_failed_never_rejected() {
        Operation acted = Transitions.decided(Operations.accepted("c1", "default/pg"),
                Decision.act("cordoning", "cordon node001", List.of("cordon")), T0).operation();
        Transition t = Transitions.decided(acted, Decision.reject("the eviction was refused"), T0.plusSeconds(1));

        assertThat(t.statuses()).containsExactly(new Transition.Status(CommandState.FAILED, null,
                "the eviction was refused", 3));
    }

    @Test
    void a_wait_is_due_after_its_recheck_and_keeps_what_the_decider_remembers() {
        Decision<String> wait = Decision.<String>waitFor("waiting", "waiting for pod Ready", Duration.ofSeconds(5))
                .remembering(Map.of("node", "node002"));
        Operation op = Transitions.decided(Operations.accepted("c1", "default/pg"), wait, T0).operation();
        assertThat(op.nextAttemptAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(op.data()).containsEntry("node", "node002");
    }

    @Test
    void failed_tries_back_off_and_say_so_once_per_error_without_losing_the_step() {
        Operation op = Transitions.decided(Operations.accepted("c1", "node001"),
                Decision.act("patching", "cordon", List.of()), T0).operation();
        Transition first = Transitions.failedTry(op, "connection refused", backoff, T0);
        assertThat(first.operation().attempt()).isEqualTo(1);
        assertThat(first.operation().nextAttemptAt()).isEqualTo(T0.plusMillis(200));
        assertThat(first.operation().phase()).isEqualTo("patching");
        assertThat(first.statuses()).extracting(Transition.Status::step)
                .containsExactly("cordon; retrying after: connection refused");

        Transition second = Transitions.failedTry(first.operation(), "connection refused", backoff, T0);
        assertThat(second.operation().nextAttemptAt()).isEqualTo(T0.plusMillis(400));
        assertThat(second.statuses()).isEmpty();

        Transition progress = Transitions.decided(second.operation(), Decision.act("patching", "cordon", List.of()), T0);
        assertThat(progress.operation().attempt()).isZero();
        assertThat(progress.statuses()).extracting(Transition.Status::step).containsExactly("cordon");
    }

    @Test
    void a_rejection_at_intake_is_final_with_status_one() {
        Transition t = Transitions.rejected(Operations.accepted("c1", "node001"), "expired", T0);
        assertThat(t.operation().state()).isEqualTo(CommandState.REJECTED);
        assertThat(t.statuses()).containsExactly(new Transition.Status(CommandState.REJECTED, null, "expired", 1));
    }
}
