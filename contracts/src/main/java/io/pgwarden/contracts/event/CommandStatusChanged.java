package io.pgwarden.contracts.event;

/**
 * Where a command stands. Keyed by command id on {@code pgwarden.command-status.v1}.
 *
 * @param commandId   the command's CloudEvents id
 * @param commandType the command's CloudEvents type, if it could be read
 * @param subject     what the command is about (node or namespace/cluster), if it could be read
 * @param state       the new state
 * @param step        the step being run, for RUNNING
 * @param reason      why, for FAILED and REJECTED; what happened, for SUCCEEDED
 * @param service     the service that reports it
 * @param sequence    this status's place in the command's life, from 1; a consumer keeps the highest it
 *                    saw, so a redelivered or late status never replaces a newer one
 * @param requestedBy who asked for the command (its {@code ce_requestedby}); absent when nobody is named, and in
 *                    statuses published before it existed
 */
public record CommandStatusChanged(String commandId, String commandType, String subject, CommandState state,
                                   String step, String reason, String service, long sequence, String requestedBy) {

    /** A status that names no requester. */
    public CommandStatusChanged(String commandId, String commandType, String subject, CommandState state,
                                String step, String reason, String service, long sequence) {
        this(commandId, commandType, subject, state, step, reason, service, sequence, null);
    }
}
