package io.pgwarden.testing;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.ContractSchemas;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * A plain Kafka client for tests: sends raw records as another system would, and reads topics from
 * the beginning, waiting with a deadline for a record that matches.
 */
public final class TopicProbe implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicProbe(String bootstrapServers, String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends a well-formed pgwarden message as another system would; returns its metadata. */
    public MessageMetadata send(String source, Object body, String key) {
        MessageType type = MessageType.of(body.getClass());
        MessageMetadata metadata = MessageMetadata.create(source, type, Instant.now(), key, null);
        sendRaw(type.topic(), key, CloudEventsKafka.headers(metadata), Json.write(body));
        return metadata;
    }

    /** Sends a record as it is; returns where the broker wrote it. */
    public RecordMetadata sendRaw(String topic, String key, Headers headers, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, null, key, value, headers)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The first record (seen so far or arriving before the deadline) that matches. */
    public ConsumerRecord<String, byte[]> await(Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int checked = 0;
        while (true) {
            for (; checked < seen.size(); checked++) {
                if (match.test(seen.get(checked))) {
                    return seen.get(checked);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no matching record within " + timeout + "; saw " + seen.size()
                        + " records: " + seen.stream().map(TopicProbe::describe).toList());
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
    }

    /** Every record seen so far, after one more poll. */
    public List<ConsumerRecord<String, byte[]>> seen() {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return List.copyOf(seen);
    }

    public static Predicate<ConsumerRecord<String, byte[]>> ofType(MessageType type) {
        return r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_TYPE).filter(type.ceType()::equals).isPresent();
    }

    public static Predicate<ConsumerRecord<String, byte[]>> correlatedTo(String correlationId) {
        return r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_CORRELATION_ID)
                .filter(correlationId::equals).isPresent();
    }

    public static String text(ConsumerRecord<String, byte[]> record) {
        return record.value() == null ? null : new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Fails when a pgwarden record's headers or body break the published contract. */
    public static void assertConformsToContract(ConsumerRecord<String, byte[]> record) {
        MessageMetadata metadata = CloudEventsKafka.metadata(record.headers());
        MessageType type = MessageType.ofCeType(metadata.type())
                .orElseThrow(() -> new AssertionError("unknown ce_type " + metadata.type()));
        if (!type.topic().equals(record.topic())) {
            throw new AssertionError(type + " sent on " + record.topic() + ", contract says " + type.topic());
        }
        List<String> violations = ContractSchemas.violations(type, record.value());
        if (!violations.isEmpty()) {
            throw new AssertionError(type + " breaks its schema: " + violations + " in " + text(record));
        }
    }

    private static String describe(ConsumerRecord<String, byte[]> r) {
        return r.topic() + "/" + r.key() + " " + CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_TYPE).orElse("?")
                + " " + text(r);
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
    }

    // ---- Reading up to the end offsets (added for node-watcher's NodeHealthIT) -----------------------------------
    // A negative check ("nothing else was published") is only sound over records known to be written: this reads
    // every partition of the probed topics up to its end offset as of the call, so whatever the broker had
    // acknowledged before the call is seen, whichever partition it is on.

    /**
     * Every record seen so far, after reading each partition of the probed topics up to its end offset at the time
     * of the call; fails when that takes longer than {@code timeout}.
     */
    public List<ConsumerRecord<String, byte[]>> seenUpToEndOffsets(Duration timeout) {
        List<org.apache.kafka.common.TopicPartition> partitions = consumer.subscription().stream()
                .flatMap(topic -> consumer.partitionsFor(topic).stream()
                        .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())))
                .toList();
        Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
        Instant deadline = Instant.now().plus(timeout);
        while (!end.entrySet().stream().allMatch(e -> consumer.assignment().contains(e.getKey())
                && consumer.position(e.getKey()) >= e.getValue())) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("did not reach the end offsets " + end + " within " + timeout);
            }
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
        return List.copyOf(seen);
    }
}
