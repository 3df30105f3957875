package io.pgwarden.operations.core;

import io.pgwarden.contracts.event.CommandState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an operation moves: after a decision, after a failed try, at its deadline. Each move numbers the
 * statuses it publishes after the last one, so a consumer can order them and never let an older one
 * replace a newer one.
 */
public final class Transitions {
    private Transitions() {
    }

    /** A new operation from a command: ACCEPTED, status 1. */
    public static Transition accepted(Operation op) {
        return new Transition(op, List.of(new Transition.Status(CommandState.ACCEPTED, null, null, 1)), List.of());
    }

    /** A command refused at intake: REJECTED, status 1, never run. */
    public static Transition rejected(Operation op, String reason, Instant now) {
        Operation rejected = with(op, op.phase(), op.data(), CommandState.REJECTED, null, reason, 0, now, 1, now);
        return new Transition(rejected, List.of(new Transition.Status(CommandState.REJECTED, null, reason, 1)),
                List.of());
    }

    public static Transition decided(Operation op, Decision<?> d, Instant now) {
        if (d.isFinal()) {
            return finish(op, switch (d.next()) {
                case SUCCEED -> CommandState.SUCCEEDED;
                case REJECT -> Operation.START.equals(op.phase()) ? CommandState.REJECTED : CommandState.FAILED;
                default -> CommandState.FAILED;
            }, d.outcome(), d.activities(), now);
        }
        Map<String, String> data = d.data() == null ? op.data() : d.data();
        Instant next = d.next() == Decision.Next.CONTINUE ? now : now.plus(d.recheck());
        return running(op, d.phase(), data, d.step(), 0, next, d.activities(), now);
    }

    /** A try that failed on a transient error: the same phase again after the back-off. */
    public static Transition failedTry(Operation op, String error, Backoff backoff, Instant now) {
        int attempt = op.attempt() + 1;
        String base = op.step() == null ? "starting" : op.step().replaceFirst("; retrying after: .*$", "");
        String step = base + "; retrying after: " + error;
        return running(op, op.phase(), op.data(), step, attempt, now.plus(backoff.after(attempt)), List.of(), now);
    }

    /** The operation waits for something outside it (a busy database), saying what for. */
    public static Transition waiting(Operation op, String step, Duration recheck, Instant now) {
        return running(op, op.phase(), op.data(), step, 0, now.plus(recheck), List.of(), now);
    }

    public static Transition finish(Operation op, CommandState state, String reason, List<Activity> activities,
                                    Instant now) {
        long sequence = op.statusSequence() + 1;
        Operation done = with(op, op.phase(), op.data(), state, null, reason, 0, now, sequence, now);
        return new Transition(done, List.of(new Transition.Status(state, null, reason, sequence)), activities);
    }

    private static Transition running(Operation op, String phase, Map<String, String> data, String step, int attempt,
                                      Instant nextAttemptAt, List<Activity> activities, Instant now) {
        List<Transition.Status> statuses = new ArrayList<>();
        long sequence = op.statusSequence();
        if (op.state() == CommandState.ACCEPTED || !Objects.equals(step, op.step())) {
            sequence++;
            statuses.add(new Transition.Status(CommandState.RUNNING, step, null, sequence));
        }
        Operation next = with(op, phase, data, CommandState.RUNNING, step, null, attempt, nextAttemptAt, sequence, now);
        return new Transition(next, statuses, activities);
    }

    private static Operation with(Operation op, String phase, Map<String, String> data, CommandState state, String step,
                                  String reason, int attempt, Instant nextAttemptAt, long statusSequence, Instant now) {
        return new Operation(op.id(), op.seq(), op.kind(), op.subject(), op.commandType(), op.correlationId(),
                op.command(), phase, data, state, step, reason, attempt, nextAttemptAt, op.deadline(), op.owner(),
                op.claimExpiresAt(), statusSequence, op.createdAt(), now, op.requestedBy());
    }
}
