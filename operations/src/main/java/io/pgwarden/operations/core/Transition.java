package io.pgwarden.operations.core;

import io.pgwarden.contracts.event.CommandState;

import java.util.List;

/**
 * An operation's next persisted state with the statuses and timeline lines that go out with it, in the
 * same transaction.
 */
public record Transition(Operation operation, List<Status> statuses, List<Activity> activities) {

    /** A command status to publish, numbered in the command's life. */
    public record Status(CommandState state, String step, String reason, long sequence) {
    }

    public Transition {
        statuses = List.copyOf(statuses);
        activities = List.copyOf(activities);
    }
}
