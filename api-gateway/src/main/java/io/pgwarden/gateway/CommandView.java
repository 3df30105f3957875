package io.pgwarden.gateway;

import java.time.Instant;

/**
 * A command as the API shows it.
 *
 * @param state     SUBMITTED until the service that runs it answers, then ACCEPTED, RUNNING, SUCCEEDED,
 *                  FAILED or REJECTED. SUBMITTED means stored and on its way (it waits in the outbox while
 *                  Kafka is away); the gateway never stores an outcome it does not know.
 * @param requestedBy who asked for it: the subject of the caller's token; null for a command another system sent
 *                    straight to Kafka without one
 * @param sequence  the sequence of the status shown (0: none yet); statuses apply only in increasing order
 * @param expiresAt when the command stops being acted on: a service that sees it later rejects it as
 *                  expired; null for a command another system sent without one
 * @param observedAt when the gateway read this from its command store (for a 202, when it stored it): the state is
 *                   what the statuses on {@code pgwarden.command-status.v1} said up to then
 */
public record CommandView(String id, String type, String subject, String correlationId, String requestedBy,
                          String state, String step,
                          String reason, String service, long sequence, Instant submittedAt, Instant updatedAt,
                          Instant expiresAt, Instant observedAt) {

    public static final String SUBMITTED = "SUBMITTED";
}
