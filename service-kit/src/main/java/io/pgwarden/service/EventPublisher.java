package io.pgwarden.service;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Clock;

/**
 * Publishes pgwarden events as CloudEvents (binary mode) on their topics, and waits for the broker's
 * acknowledgement: a step is not reported done before its event is durable.
 */
@ApplicationScoped
public class EventPublisher {
    /** One outgoing channel; each message names its own topic. */
    public static final String CHANNEL = "pgwarden-out";

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<byte[]> out;

    @Inject
    Clock clock;

    @Inject
    ServiceConfig config;

    /** Publishes body on its type's topic under key; correlationId null starts a new correlation. */
    public MessageMetadata publish(Object body, String key, String subject, String correlationId) {
        MessageMetadata metadata = newMetadata(MessageType.of(body.getClass()), subject, correlationId);
        send(metadata, body, key);
        return metadata;
    }

    /** The attributes of a message this service is about to send, for callers that record it first. */
    public MessageMetadata newMetadata(MessageType type, String subject, String correlationId) {
        return MessageMetadata.create(source(), type, clock.instant(), subject, correlationId);
    }

    /** Sends body with the given attributes on its type's topic under key. */
    public void send(MessageMetadata metadata, Object body, String key) {
        MessageType type = MessageType.of(body.getClass());
        Message<byte[]> message = Message.of(Json.write(body)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(type.topic())
                        .withKey(key)
                        .withHeaders(CloudEventsKafka.headers(metadata))
                        .build());
        out.sendMessage(message).await().atMost(config.publishTimeout());
    }

    public void activity(String subject, String action, boolean changed, String detail, String correlationId) {
        publish(new ActivityRecorded(subject, action, changed, detail), subject, subject, correlationId);
    }

    private String source() {
        return "/pgwarden/" + config.service();
    }
}
