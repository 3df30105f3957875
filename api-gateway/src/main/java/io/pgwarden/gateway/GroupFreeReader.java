package io.pgwarden.gateway;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A thread that reads topics with a plain consumer, without a consumer group, as the gateway's views and its event
 * stream do: every replica reads every partition and commits nothing. On a broker error it starts over with a new
 * consumer after a pause; {@link #stop()} wakes it from its poll.
 */
final class GroupFreeReader {
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final String name;
    private final Map<String, Object> kafkaConfig;
    private final Consumer<KafkaConsumer<String, byte[]>> follow;
    private final Logger log;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /**
     * @param name   the thread's name and the consumer's client id (after {@code pgwarden-api-gateway-})
     * @param follow reads with the consumer it is given until {@link #running()} is false or the broker fails
     */
    GroupFreeReader(String name, Map<String, Object> kafkaConfig, Consumer<KafkaConsumer<String, byte[]>> follow,
                    Logger log) {
        this.name = name;
        this.kafkaConfig = kafkaConfig;
        this.follow = follow;
        this.log = log;
    }

    void start() {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        thread.join(Duration.ofSeconds(5).toMillis());
    }

    boolean running() {
        return running;
    }

    /** The partitions of the topics, once each has some; until then it waits (the gateway serves meanwhile). */
    List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c, List<String> topics) {
        while (true) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                c.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            if (topics.stream().allMatch(t -> partitions.stream().anyMatch(p -> p.topic().equals(t)))) {
                return partitions;
            }
            log.infof("%s: not all of %s have partitions yet, looking again in %s", name, topics, RETRY);
            pause();
        }
    }

    /** A consumer without a group that commits nothing and starts, where nothing else is said, at the beginning. */
    static KafkaConsumer<String, byte[]> newConsumer(Map<String, Object> kafkaConfig, String clientId) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "pgwarden-api-gateway-" + clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = newConsumer(kafkaConfig, name)) {
                consumer = c;
                if (running) {
                    follow.accept(c);
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                log.warnf("%s: reading failed, starting over in %s: %s", name, RETRY, e);
                pause();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
