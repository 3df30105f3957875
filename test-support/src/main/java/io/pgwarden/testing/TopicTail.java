package io.pgwarden.testing;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.event.CommandStatusChanged;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads topics from the offsets they had when it was made, so a test sees only what its own action
 * caused. A check that something did not happen waits for a marker that is ordered after it (the same
 * key, so the same partition) and then looks at everything read up to that marker.
 */
public final class TopicTail implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicTail(String bootstrapServers, String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** The first record since this tail was made that matches, waiting until timeout. */
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
                throw new AssertionError("no matching record within " + timeout + "; saw " + seen.size() + " records");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
    }

    /** Reads for the whole window (an observation window for a check that nothing more came), then every record read. */
    public List<ConsumerRecord<String, byte[]>> readFor(Duration window) {
        Instant end = Instant.now().plus(window);
        while (Instant.now().isBefore(end)) {
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        }
        return List.copyOf(seen);
    }

    /** Every record since this tail was made up to and including the first that matches marker. */
    public List<ConsumerRecord<String, byte[]>> until(Predicate<ConsumerRecord<String, byte[]>> marker,
                                                      Duration timeout) {
        ConsumerRecord<String, byte[]> found = await(marker, timeout);
        return List.copyOf(seen.subList(0, seen.indexOf(found) + 1));
    }

    /** Records whose CloudEvents id is ceId. */
    public static Predicate<ConsumerRecord<String, byte[]>> withId(String ceId) {
        return r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).filter(ceId::equals).isPresent();
    }

    /** A record's CloudEvents id. */
    public static String id(ConsumerRecord<String, byte[]> r) {
        return CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_ID).orElse(null);
    }

    /** Every record read so far that matches. */
    public List<ConsumerRecord<String, byte[]>> matching(Predicate<ConsumerRecord<String, byte[]>> match) {
        return seen.stream().filter(match).toList();
    }

    /** The statuses of one command read so far, in the order they arrived. */
    public List<CommandStatusChanged> statusesOf(String commandId) {
        return seen.stream().filter(TopicProbe.ofType(io.pgwarden.contracts.MessageType.COMMAND_STATUS_CHANGED))
                .filter(TopicProbe.correlatedTo(commandId)).map(TopicTail::status).toList();
    }

    /** Waits for the command's final status and returns it. */
    public CommandStatusChanged awaitFinal(String commandId, Duration timeout) {
        return status(await(TopicProbe.ofType(io.pgwarden.contracts.MessageType.COMMAND_STATUS_CHANGED)
                .and(TopicProbe.correlatedTo(commandId)).and(r -> status(r).state().isFinal()), timeout));
    }

    /**
     * A new command id whose statuses land on the same partition of a topic with the given partition count
     * as those of commandId (statuses are keyed by command id), so its status can mark that everything
     * published before it for commandId was read.
     */
    public static String idOnSamePartitionAs(String commandId, int partitions) {
        int wanted = partition(commandId, partitions);
        while (true) {
            String id = java.util.UUID.randomUUID().toString();
            if (partition(id, partitions) == wanted) {
                return id;
            }
        }
    }

    private static int partition(String key, int partitions) {
        // Kafka's default partitioner for a keyed record.
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % partitions;
    }

    public static CommandStatusChanged status(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), CommandStatusChanged.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
