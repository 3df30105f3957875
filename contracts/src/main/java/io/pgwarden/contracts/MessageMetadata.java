package io.pgwarden.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The CloudEvents 1.0 context attributes every pgwarden message carries.
 *
 * @param id            unique id of this message; for a command, the command id
 * @param source        URI reference of the producer, e.g. {@code /pgwarden/api-gateway}
 * @param type          event or command type, see {@link MessageType}
 * @param time          when it happened
 * @param subject       what it is about: a node name, {@code namespace/cluster}, a command id
 * @param correlationId the command or incident this message belongs to (extension attribute)
 * @param expiresAt     for a command, when it is too old to act on (extension attribute {@code expiresat});
 *                      null when the sender set none, and then the receiving service applies its default
 * @param requestedBy   for a command, who asked for it: the subject of the token the gateway accepted (extension
 *                      attribute {@code requestedby}); null for a command sent straight to Kafka without one
 */
public record MessageMetadata(String id, String source, String type, Instant time, String subject,
                              String correlationId, Instant expiresAt, String requestedBy) {

    public MessageMetadata {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
    }

    public MessageMetadata(String id, String source, String type, Instant time, String subject,
                           String correlationId, Instant expiresAt) {
        this(id, source, type, time, subject, correlationId, expiresAt, null);
    }

    public MessageMetadata(String id, String source, String type, Instant time, String subject,
                           String correlationId) {
        this(id, source, type, time, subject, correlationId, null, null);
    }

    /** The same message with an expiry time. */
    public MessageMetadata expiringAt(Instant expiry) {
        return new MessageMetadata(id, source, type, time, subject, correlationId, expiry, requestedBy);
    }

    /** The same message, asked for by requester. */
    public MessageMetadata requestedBy(String requester) {
        return new MessageMetadata(id, source, type, time, subject, correlationId, expiresAt, requester);
    }

    /** A new message with a fresh id that belongs to the given correlation (or starts its own). */
    public static MessageMetadata create(String source, MessageType type, Instant time, String subject,
                                         String correlationId) {
        String id = UUID.randomUUID().toString();
        return new MessageMetadata(id, source, type.ceType(), time, subject,
                correlationId == null ? id : correlationId);
    }
}
