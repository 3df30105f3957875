package io.pgwarden.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Envelope;
import io.pgwarden.contracts.InvalidMessageException;
import io.pgwarden.contracts.MessageDecoder;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.Validator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Keeps {@link NodeHealthView} from {@code pgwarden.node-health.v1}, read from the beginning of every partition at
 * each start. A plain consumer rather than a SmallRye channel, and on purpose without a consumer group:
 * <ul>
 *   <li>every gateway replica must see every node, where a group would split the partitions among replicas;</li>
 *   <li>nothing is committed, so a restarted gateway rebuilds the whole view, and no group is left behind;</li>
 *   <li>the partitions are found on the broker, not listed in configuration (a partition added later is read
 *       from the next start), and the end offsets found at start tell when the view is complete.</li>
 * </ul>
 * The topic keeps a day (deploy/), and node-watcher publishes every node at least every snapshot interval, so the
 * replay converges. A record that does not parse is counted and logged, not dead-lettered: this view re-reads
 * the topic at every start and would copy the same record each time.
 */
@ApplicationScoped
public class NodeHealthConsumer {
    private static final Logger LOG = Logger.getLogger(NodeHealthConsumer.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final NodeHealthView view = new NodeHealthView();
    private final MessageDecoder decoder;
    private final GroupFreeReader reader;
    private final Counter unreadable;
    private final Clock clock;
    private volatile boolean complete;
    private volatile Instant caughtUpAt;

    public NodeHealthConsumer(Validator validator, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                              MeterRegistry meters, Clock clock) {
        this.clock = clock;
        this.decoder = new MessageDecoder(validator);
        this.reader = new GroupFreeReader("node-view", kafkaConfig, this::follow, LOG);
        this.unreadable = Counter.builder("pgwarden_gateway_node_health_unreadable")
                .description("Records on pgwarden.node-health.v1 the node view could not read").register(meters);
    }

    /** The latest health of each node. */
    public NodeHealthView view() {
        return view;
    }

    /** True once the view holds everything the topic held when this gateway started reading it. */
    public boolean complete() {
        return complete;
    }

    /**
     * The last moment the view was seen to hold everything on the topic (its end asked of the broker each poll); null
     * before the first. While the broker is away it stays where it was, so it says how stale the view may be.
     */
    public Instant observedAt() {
        return caughtUpAt;
    }

    void start(@Observes StartupEvent ignored) {
        reader.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        reader.stop();
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = reader.awaitPartitions(c, List.of(Topics.NODE_HEALTH));
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> endAtStart = c.endOffsets(partitions);
        LOG.infof("node view: reading %s from the beginning of %d partitions", Topics.NODE_HEALTH, partitions.size());
        while (reader.running()) {
            for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                apply(record);
            }
            if (!complete && endAtStart.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                complete = true;
                LOG.infof("node view: complete, %d nodes", view.nodes().size());
            }
            if (complete) {
                checkCaughtUp(c, partitions);
            }
        }
    }

    private void checkCaughtUp(KafkaConsumer<String, byte[]> c, List<TopicPartition> partitions) {
        Instant asked = clock.instant();
        try {
            Map<TopicPartition, Long> end = c.endOffsets(partitions, POLL);
            if (end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUpAt = asked;
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debugf("node view: the broker did not say where %s ends: %s", Topics.NODE_HEALTH, e.getMessage());
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            Envelope<Object> envelope = decoder.decode(record.headers(), record.value());
            if (!(envelope.body() instanceof NodeHealthChanged health)) {
                throw new InvalidMessageException(envelope.metadata().type() + " does not belong on " + record.topic(),
                        envelope.metadata());
            }
            view.apply(health);
        } catch (RuntimeException e) {
            unreadable.increment();
            LOG.warnf("node view: skipped %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }
}
