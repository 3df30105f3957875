package io.pgwarden.service;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Publishes pgwarden messages as CloudEvents (binary mode) on their topics through the one outgoing
 * channel ({@code acks=all}, idempotent producer). A message is sent when the broker acknowledged it.
 */
@ApplicationScoped
public class EventPublisher {
    /** One outgoing channel; each message names its own topic. */
    public static final String CHANNEL = "pgwarden-out";

    private final MutinyEmitter<byte[]> out;
    private final Clock clock;
    private final ServiceConfig config;

    public EventPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> out, Clock clock, ServiceConfig config) {
        this.out = out;
        this.clock = clock;
        this.config = config;
    }

    /** Publishes body on its type's topic under key and waits for the ack; correlationId null starts a new one. */
    public MessageMetadata publish(Object body, String key, String subject, String correlationId) {
        MessageType type = MessageType.of(body.getClass());
        MessageMetadata metadata = newMetadata(type, subject, correlationId);
        send(type.topic(), key, CloudEventsKafka.headers(metadata), Json.write(body)).toCompletableFuture()
                .orTimeout(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        return metadata;
    }

    /** The attributes of a message this service is about to send, for callers that record it first. */
    public MessageMetadata newMetadata(MessageType type, String subject, String correlationId) {
        return MessageMetadata.create("/pgwarden/" + config.service(), type, clock.instant(), subject, correlationId);
    }

    /** Sends a record whose CloudEvents headers were written earlier (the outbox); completes on the broker's ack. */
    public CompletionStage<Void> send(String topic, String key, Map<String, String> headers, byte[] payload) {
        RecordHeaders kafkaHeaders = new RecordHeaders();
        headers.forEach((name, value) -> kafkaHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return send(topic, key, kafkaHeaders, payload);
    }

    private CompletionStage<Void> send(String topic, String key, Headers headers, byte[] payload) {
        Message<byte[]> message = Message.of(payload).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(topic)
                        .withKey(key)
                        .withHeaders(headers)
                        .build());
        return out.sendMessage(message).subscribeAsCompletionStage();
    }
}
