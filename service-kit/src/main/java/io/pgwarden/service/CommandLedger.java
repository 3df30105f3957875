package io.pgwarden.service;

import io.pgwarden.contracts.event.CommandState;

import java.util.Optional;

/**
 * What a service has done with each command, so at-least-once delivery never runs an action twice
 * and a crash mid-command resumes it.
 */
public interface CommandLedger {

    record Entry(String commandId, String commandType, String subject, CommandState state, String step,
                 String reason) {
    }

    Optional<Entry> find(String commandId);

    /** Records the command as ACCEPTED; false when it was already there. */
    boolean accept(String commandId, String commandType, String subject);

    void update(String commandId, CommandState state, String step, String reason);
}
