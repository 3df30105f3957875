package io.pgwarden.operations.core;

import io.pgwarden.contracts.event.CommandState;

import java.time.Instant;
import java.util.Map;

/**
 * One long action, as persisted: what it is about, how far it got, who runs it until when.
 *
 * @param id              the command id, or the incident's or schedule slot's id
 * @param seq             arrival order; operations on one subject run one after the other in this order
 * @param kind            which {@link OperationKind} runs it (the command's type name, e.g. {@code CordonNode})
 * @param subject         node name or namespace/cluster
 * @param commandType     the command's CloudEvents type, when a command started it
 * @param correlationId   marks every status, activity and log line of its work
 * @param command         the command's JSON body, when a command started it
 * @param phase           where the decider left it
 * @param data            what the decider wants to remember between phases
 * @param state           ACCEPTED until it first runs, RUNNING, then SUCCEEDED, FAILED or REJECTED
 * @param step            what it is doing now, in words, for RUNNING
 * @param reason          the outcome in words, once final
 * @param attempt         failed tries in a row (for back-off); 0 after progress
 * @param nextAttemptAt   not run before this time, unless an event about its subject wakes it
 * @param deadline        FAILED when still unfinished at this time; set when it first runs (its timeout from
 *                        then), so time spent queued behind its subject's earlier operations or waiting for
 *                        the database to record it does not count
 * @param owner           the runner that claimed it
 * @param claimExpiresAt  the claim's end; another runner may claim it after
 * @param statusSequence  sequence number of the last status published for it
 * @param requestedBy     who asked for it (the command's {@code ce_requestedby}), repeated in every status; null
 *                        when nobody is named (an incident, a command sent straight to Kafka)
 */
public record Operation(String id, long seq, String kind, String subject, String commandType, String correlationId,
                        byte[] command, String phase, Map<String, String> data, CommandState state, String step,
                        String reason, int attempt, Instant nextAttemptAt, Instant deadline, String owner,
                        Instant claimExpiresAt, long statusSequence, Instant createdAt, Instant updatedAt,
                        String requestedBy) {

    /** The phase of an operation no decider has seen yet. */
    public static final String START = "start";

    public Operation {
        data = Map.copyOf(data);
    }

    /** An operation nobody is named as having asked for. */
    public Operation(String id, long seq, String kind, String subject, String commandType, String correlationId,
                     byte[] command, String phase, Map<String, String> data, CommandState state, String step,
                     String reason, int attempt, Instant nextAttemptAt, Instant deadline, String owner,
                     Instant claimExpiresAt, long statusSequence, Instant createdAt, Instant updatedAt) {
        this(id, seq, kind, subject, commandType, correlationId, command, phase, data, state, step, reason, attempt,
                nextAttemptAt, deadline, owner, claimExpiresAt, statusSequence, createdAt, updatedAt, null);
    }

    public boolean isFinal() {
        return state.isFinal();
    }

    /** The same operation with its deadline. */
    public Operation withDeadline(Instant newDeadline) {
        return new Operation(id, seq, kind, subject, commandType, correlationId, command, phase, data, state, step,
                reason, attempt, nextAttemptAt, newDeadline, owner, claimExpiresAt, statusSequence, createdAt,
                updatedAt, requestedBy);
    }

    /** True when the deadline has passed at now. */
    public boolean isOverdue(Instant now) {
        return deadline != null && now.isAfter(deadline);
    }
}
