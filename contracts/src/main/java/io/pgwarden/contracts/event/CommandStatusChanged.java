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
 */
public record CommandStatusChanged(String commandId, String commandType, String subject, CommandState state,
                                   String step, String reason, String service) {
}
