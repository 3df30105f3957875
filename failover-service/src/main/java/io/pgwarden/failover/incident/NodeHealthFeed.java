package io.pgwarden.failover.incident;

import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.operations.engine.OperationDriver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * node-watcher's word on every node, as the failover-service knows it: the latest {@code NodeHealthChanged} of
 * each node (by sequence). A consumer of its own (no group: every replica reads everything) starts one and a half
 * snapshot intervals back in time, so a restarted service has a full view once it caught up, without replaying the
 * topic's history. Each event wakes the operations of its node; once caught up, a node that is not alive gets an
 * incident if it has no open one.
 */
@ApplicationScoped
public class NodeHealthFeed {
    private static final Logger LOG = Logger.getLogger(NodeHealthFeed.class);

    private final Map<String, NodeHealthChanged> latest = new ConcurrentHashMap<>();
    private final OperationDriver driver;
    private final Incidents incidents;
    private final IncidentConfig config;
    private final Clock clock;
    private final String bootstrapServers;
    private volatile Instant heardAt;
    private volatile boolean caughtUp;
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    NodeHealthFeed(OperationDriver driver, Incidents incidents, IncidentConfig config, Clock clock,
                   @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.driver = driver;
        this.incidents = incidents;
        this.config = config;
        this.clock = clock;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent ignored) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "failover-service-node-health-feed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "node-health-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    /** node-watcher's latest word on node, if it said anything since this service started reading. */
    public Optional<NodeHealthChanged> latest(String node) {
        return Optional.ofNullable(latest.get(node));
    }

    /** When node-watcher was last heard from about any node. */
    public Optional<Instant> heardAt() {
        return Optional.ofNullable(heardAt);
    }

    /** Nodes known (not deleted), and of those the ones node-watcher does not call alive. */
    public Counts counts() {
        int known = 0;
        int unhealthy = 0;
        for (NodeHealthChanged h : latest.values()) {
            if (!h.deleted()) {
                known++;
                if (h.liveness() != NodeLiveness.ALIVE) {
                    unhealthy++;
                }
            }
        }
        return new Counts(known, unhealthy);
    }

    public record Counts(int known, int unhealthy) {
    }

    /** The nodes node-watcher calls alive (known, not deleted). */
    public Set<String> aliveNodes() {
        Set<String> alive = new HashSet<>();
        latest.forEach((node, h) -> {
            if (!h.deleted() && h.liveness() == NodeLiveness.ALIVE) {
                alive.add(node);
            }
        });
        return alive;
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> end = seekBack();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    apply(r);
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("node health caught up: %d nodes known", latest.size());
                    latest.values().forEach(this::openIncidentIfDown);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "node health feed stopped");
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Assigns every partition at the first offset within 1.5 snapshot intervals; returns the end offsets now. */
    private Map<TopicPartition, Long> seekBack() {
        List<TopicPartition> partitions;
        while (true) {
            partitions = consumer.partitionsFor(Topics.NODE_HEALTH, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (!partitions.isEmpty() || !running) {
                break;
            }
            try {
                Thread.sleep(1_000); // the topic is not there yet: node-watcher creates it with its first event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Map.of();
            }
        }
        consumer.assign(partitions);
        long since = clock.instant().minus(config.watcherSnapshotInterval().multipliedBy(3).dividedBy(2)).toEpochMilli();
        Map<TopicPartition, OffsetAndTimestamp> at = consumer.offsetsForTimes(
                partitions.stream().collect(Collectors.toMap(Function.identity(), tp -> since)));
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = at.get(tp);
            consumer.seek(tp, o == null ? end.get(tp) : o.offset());
        }
        return end;
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        NodeHealthChanged health;
        try {
            health = Json.read(r.value(), NodeHealthChanged.class);
        } catch (java.io.IOException | RuntimeException e) {
            // node-watcher's own topic: nothing to answer, and another consumer (the contract tests) checks it.
            LOG.warnf("unreadable node health at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        heardAt = clock.instant();
        NodeHealthChanged before = latest.get(health.node());
        if (before != null && before.sequence() >= health.sequence()) {
            return;
        }
        latest.put(health.node(), health);
        driver.eventAbout(health.node(), System.nanoTime());
        if (caughtUp) {
            openIncidentIfDown(health);
        }
    }

    private void openIncidentIfDown(NodeHealthChanged health) {
        if (health.deleted() || health.liveness() == NodeLiveness.ALIVE || health.liveness() == null) {
            return;
        }
        try {
            incidents.openIfNone(health);
        } catch (Exception e) {
            // The next event or snapshot about the node tries again.
            LOG.warnf("could not open an incident for node %s: %s", health.node(), e.getMessage());
        }
    }
}
