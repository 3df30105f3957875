package io.pgwarden.gateway;

import java.time.Instant;

/**
 * A command as the API shows it.
 *
 * @param state SUBMITTED until the owning service answers, then ACCEPTED, RUNNING, SUCCEEDED, FAILED or REJECTED
 */
public record CommandView(String id, String type, String subject, String correlationId, String state, String step,
                          String reason, String service, Instant submittedAt, Instant updatedAt) {

    public static final String SUBMITTED = "SUBMITTED";
}
