package io.pgwarden.operations.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a decider wants done with an operation: the actions to apply, the timeline lines to record, and
 * where the operation goes next. The driver persists the next phase (with its statuses and activities,
 * in one transaction) <em>before</em> it applies the actions, then asks the decider again: so after a
 * crash the decider re-observes the world in the phase that announced the action, and an action is
 * never assumed done because it was sent.
 *
 * @param actions    what to do now, through the kind's ports; each must be idempotent
 * @param activities timeline lines, published with the phase change
 * @param next       where the operation goes
 * @param phase      the phase to persist (ignored when final)
 * @param data       what to remember, replacing the operation's data
 * @param step       what it is doing now, in words; a new step is published as a RUNNING status
 * @param recheck    for {@link Next#WAIT}: when to look again if no event about the subject comes first
 * @param outcome    for {@link Next#SUCCEED}, {@link Next#FAIL} and {@link Next#REJECT}: the result in words
 */
public record Decision<A>(List<A> actions, List<Activity> activities, Next next, String phase,
                          Map<String, String> data, String step, Duration recheck, String outcome) {

    public enum Next {
        /** Persist, apply the actions, and decide again at once. */
        CONTINUE,
        /** Persist and look again after {@code recheck} or when an event about the subject arrives. */
        WAIT,
        SUCCEED,
        FAIL,
        /**
         * Refused: the command asks for something that cannot or must not be done, and says what to change. Only
         * before any action was applied, that is while the operation is still at {@link Operation#START}; a
         * decider that announces actions names another phase. Later, it ends FAILED, as nothing may claim that an
         * operation which changed the world was refused.
         */
        REJECT
    }

    public Decision {
        actions = List.copyOf(actions);
        activities = List.copyOf(activities);
        data = data == null ? null : Map.copyOf(data);
    }

    /** Announce the step and its actions in phase, apply them, and decide again. */
    public static <A> Decision<A> act(String phase, String step, List<A> actions) {
        return new Decision<>(actions, List.of(), Next.CONTINUE, phase, null, step, null, null);
    }

    public static <A> Decision<A> waitFor(String phase, String step, Duration recheck) {
        return new Decision<>(List.of(), List.of(), Next.WAIT, phase, null, step, recheck, null);
    }

    public static <A> Decision<A> succeed(String outcome, Activity... activities) {
        return new Decision<>(List.of(), List.of(activities), Next.SUCCEED, null, null, null, null, outcome);
    }

    public static <A> Decision<A> fail(String outcome, Activity... activities) {
        return new Decision<>(List.of(), List.of(activities), Next.FAIL, null, null, null, null, outcome);
    }

    /** Refuse the command, saying what to change; see {@link Next#REJECT}. */
    public static <A> Decision<A> reject(String reason, Activity... activities) {
        return new Decision<>(List.of(), List.of(activities), Next.REJECT, null, null, null, null, reason);
    }

    /** The same decision, remembering data for the next phases. */
    public Decision<A> remembering(Map<String, String> newData) {
        return new Decision<>(actions, activities, next, phase, newData, step, recheck, outcome);
    }

    public boolean isFinal() {
        return next == Next.SUCCEED || next == Next.FAIL || next == Next.REJECT;
    }
}
