package io.pgwarden.outbox;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts events in table {@code outbox} inside the caller's transaction, so a change and the events it
 * causes commit together or not at all. {@link OutboxRelay} publishes them after the commit.
 */
@ApplicationScoped
public class Outbox {
    private static final String INSERT = "INSERT INTO outbox (topic, record_key, headers, payload, created_at)"
            + " VALUES (?, ?, ?::jsonb, ?, ?)";

    private final EventPublisher publisher;
    private final OutboxRelay relay;
    private final Clock clock;

    public Outbox(EventPublisher publisher, OutboxRelay relay, Clock clock) {
        this.publisher = publisher;
        this.relay = relay;
        this.clock = clock;
    }

    /** Adds an event of this service under key; correlationId null starts a new correlation. */
    public MessageMetadata add(Connection tx, Object body, String key, String subject, String correlationId)
            throws SQLException {
        MessageMetadata metadata = publisher.newMetadata(MessageType.of(body.getClass()), subject, correlationId);
        add(tx, metadata, body, key);
        return metadata;
    }

    /** Adds a message whose attributes the caller made (a command the gateway recorded first). */
    public void add(Connection tx, MessageMetadata metadata, Object body, String key) throws SQLException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : CloudEventsKafka.headers(metadata)) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        addRecord(tx, MessageType.of(body.getClass()).topic(), key, headers, Json.write(body));
    }

    /** Adds a record as it is, for one that is not a pgwarden message (a copy for the dead-letter topic). */
    public void addRecord(Connection tx, String topic, String key, Map<String, String> headers, byte[] payload)
            throws SQLException {
        try (PreparedStatement s = tx.prepareStatement(INSERT)) {
            s.setString(1, topic);
            s.setString(2, key);
            s.setString(3, new String(Json.write(headers), StandardCharsets.UTF_8));
            s.setBytes(4, payload == null ? new byte[0] : payload);
            s.setTimestamp(5, Timestamp.from(clock.instant()));
            s.executeUpdate();
        }
    }

    /** Tells the relay there is something to publish; call after the transaction committed. */
    public void committed() {
        relay.wake();
    }
}
