package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a topic from the offsets it had when the tail was made, so a check sees exactly what was written
 * after that point: "nothing else appeared" is then decided by a marker written after the action on the
 * same partition (same key), not by waiting a moment.
 */
final class TopicTail implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();

    private TopicTail(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach(consumer::seek);
    }

    /** Takes the topic's end offsets now; reads start there. */
    static TopicTail fromNow(String bootstrapServers, String topic) {
        return new TopicTail(bootstrapServers, topic);
    }

    /** Every record after the start offsets up to and including the first that matches marker. */
    List<ConsumerRecord<String, byte[]>> until(Predicate<ConsumerRecord<String, byte[]>> marker, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int checked = 0;
        while (true) {
            for (; checked < read.size(); checked++) {
                if (marker.test(read.get(checked))) {
                    return List.copyOf(read.subList(0, checked + 1));
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no marker within " + timeout + "; read " + read.size() + " records");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
    }

    static Predicate<ConsumerRecord<String, byte[]>> withId(String ceId) {
        return r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).filter(ceId::equals).isPresent();
    }

    static String id(ConsumerRecord<String, byte[]> r) {
        return CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).orElse(null);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
