package io.pgwarden.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The live end of {@code pgwarden.activity.v1}, {@code pgwarden.node-health.v1} and {@code pgwarden.command-status.v1},
 * read once per gateway and fanned out to every client of {@code /api/v1/events}: a hundred clients cost a hundred
 * filter checks per record, not a hundred consumers. Like {@link NodeHealthConsumer}, a plain consumer without a
 * group (every replica serves its own clients every partition, and nothing is committed); unlike it, it starts at
 * the topics' ends. A client that resumes gets a replay of its own from its cursor up to where the tail stood when
 * it joined (see {@link EventSubscription}).
 */
@ApplicationScoped
public class EventTail {
    private static final Logger LOG = Logger.getLogger(EventTail.class);
    private static final List<String> TOPICS = List.of(Topics.ACTIVITY, Topics.NODE_HEALTH, Topics.COMMAND_STATUS);
    private static final Duration POLL = Duration.ofMillis(500);
    /** Numbers the replay consumers: Kafka registers each client id once (JMX). */
    private static final AtomicInteger REPLAYS = new AtomicInteger();

    private final Map<String, Object> kafkaConfig;
    private final int clientBuffer;
    private final GroupFreeReader reader;
    private final Counter unreadable;
    private final Counter gaps;
    private final Set<EventSubscription> clients = new CopyOnWriteArraySet<>();
    /** The next offset of each partition; guarded by this, with the fan-out, so a client joins between two records. */
    private final Map<TopicPartition, Long> position = new HashMap<>();
    private boolean ready;

    public EventTail(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters,
                     GatewayConfig config) {
        this.kafkaConfig = kafkaConfig;
        this.clientBuffer = config.events().clientBuffer();
        this.reader = new GroupFreeReader("events", kafkaConfig, this::follow, LOG);
        this.unreadable = Counter.builder("pgwarden_gateway_events_unreadable")
                .description("Records the event stream skipped: no CloudEvents headers or no JSON object").register(meters);
        this.gaps = Counter.builder("pgwarden_gateway_events_gaps")
                .description("Resumes whose cursor pointed at events the topics no longer hold (gap events sent)")
                .register(meters);
        Gauge.builder("pgwarden_gateway_events_clients", clients, Set::size)
                .description("Clients of /api/v1/events on this gateway").register(meters);
    }

    /** Thrown while the tail has not found where the topics end yet. */
    public static final class NotReadyException extends RuntimeException {
        NotReadyException() {
            super("the event stream is starting: it has not reached the broker yet; retry");
        }
    }

    /**
     * Adds a client. Without a cursor it gets what arrives from now on; with one, a replay of the records after it
     * first (on a worker thread: {@code replays}), then the live ones.
     */
    public EventSubscription subscribe(EventFilter filter, EventCursor since, Consumer<EventSubscription.Delivery> client,
                                       Consumer<Throwable> failed, ClientDemand demand, Executor replays) {
        EventSubscription subscription;
        Map<TopicPartition, Long> liveFrom;
        synchronized (this) {
            if (!ready) {
                throw new NotReadyException();
            }
            liveFrom = Map.copyOf(position);
            subscription = new EventSubscription(filter, since == null ? liveFrom : since.next(), since != null,
                    clientBuffer, client, failed);
            clients.add(subscription);
        }
        if (since != null) {
            replays.execute(() -> replay(subscription, since, liveFrom, demand));
        }
        return subscription;
    }

    /** Fails with {@link NotReadyException} before the tail knows where the topics end. */
    public synchronized void checkReady() {
        if (!ready) {
            throw new NotReadyException();
        }
    }

    public void unsubscribe(EventSubscription subscription) {
        subscription.close();
        clients.remove(subscription);
    }

    void start(@Observes StartupEvent ignored) {
        reader.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        reader.stop();
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = reader.awaitPartitions(c, TOPICS);
        c.assign(partitions);
        synchronized (this) {
            if (!ready) {
                c.seekToEnd(partitions);
                partitions.forEach(p -> position.put(p, c.position(p)));
                ready = true;
                LOG.infof("event stream: following %d partitions from their ends", partitions.size());
            } else {
                // After a broker error: go on from where the clients are, so they miss nothing.
                partitions.forEach(p -> c.seek(p, position.getOrDefault(p, 0L)));
            }
        }
        while (reader.running()) {
            for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                StreamEvent event = parse(record);
                synchronized (this) {
                    position.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    if (event != null) {
                        clients.forEach(client -> client.live(event));
                    }
                }
            }
        }
    }

    /**
     * Reads a resuming client's records from its cursor up to where the live part begins for it, no faster than the
     * client asks for them.
     */
    private void replay(EventSubscription subscription, EventCursor since, Map<TopicPartition, Long> liveFrom,
                        ClientDemand demand) {
        try (KafkaConsumer<String, byte[]> c = GroupFreeReader.newConsumer(kafkaConfig,
                "events-replay-" + REPLAYS.incrementAndGet())) {
            Map<TopicPartition, Long> until = new HashMap<>();
            List<TopicPartition> fromBeginning = new ArrayList<>();
            liveFrom.forEach((partition, end) -> {
                Long from = since.next(partition);
                if (from == null || from < end) {
                    until.put(partition, end);
                    if (from == null) {
                        fromBeginning.add(partition);
                    }
                }
            });
            c.assign(until.keySet());
            c.seekToBeginning(fromBeginning);
            until.keySet().stream().filter(p -> since.next(p) != null).forEach(p -> c.seek(p, since.next(p)));
            // A cursor before a partition's start (retention deleted it since) reads from the start (the consumer's
            // offset reset: earliest), and the client is told what it missed. Records deleted after the tail read
            // them are not missed: the tail holds them for this client.
            c.beginningOffsets(until.keySet()).forEach((p, earliest) -> {
                Long from = since.next(p);
                long start = Math.min(earliest, until.get(p));
                if (from != null && from < start) {
                    LOG.infof("event stream: a client resumes %s at %d, but the topic now starts at %d: the events"
                            + " between are gone (retention); it gets a gap event", p, from, start);
                    gaps.increment();
                    subscription.gap(p, from, start);
                }
            });
            while (!subscription.closed()
                    && until.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    StreamEvent event = record.offset() < until.get(partition) ? parse(record) : null;
                    if (event != null) {
                        demand.await(subscription::closed);
                        subscription.replay(event);
                    }
                }
            }
            subscription.replayed();
        } catch (RuntimeException e) {
            LOG.warnf("event stream: replaying from %s failed, closing the client's stream: %s", since.encode(), e);
            subscription.fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            subscription.fail(new IllegalStateException("the gateway is stopping", e));
        }
    }

    private StreamEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return StreamEvent.of(record);
        } catch (RuntimeException e) {
            unreadable.increment();
            LOG.debugf("event stream: skipped %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return null;
        }
    }
}
