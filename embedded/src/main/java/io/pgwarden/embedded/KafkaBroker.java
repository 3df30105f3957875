package io.pgwarden.embedded;

import io.pgwarden.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one node), in this JVM, with
 * pgwarden's topics created up front: a consumer that subscribes before a topic exists would, with
 * offset reset {@code latest}, miss the first messages.
 */
public final class KafkaBroker implements AutoCloseable {
    private EmbeddedKafkaBroker broker;
    private final int port;
    private final int controllerPort;
    private final Path logDir;

    private KafkaBroker(int port, int controllerPort, Path logDir) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.logDir = logDir;
    }

    /** Starts a broker on the given port (0: any free one) with its logs in a new directory under dataDir. */
    public static KafkaBroker start(int port, Path dataDir) {
        KafkaBroker started = new KafkaBroker(Ports.claim(port, "Kafka"), Ports.free(),
                Dirs.fresh(dataDir.resolve("kafka")));
        started.broker = started.newBroker(null).start();
        started.createTopics(Topics.ALL, Topics.PARTITIONS);
        return started;
    }

    /**
     * Stops the broker and starts it again on the same ports and logs, as a broker restart in a cluster
     * does: topics, records and committed offsets survive.
     */
    public synchronized void restart() {
        String clusterId = broker.getClusterId();
        broker.close();
        broker = newBroker(clusterId).start();
    }

    /** Stops the broker, keeping its logs, so {@link #startAgain()} can bring it back. */
    public synchronized void stop() {
        broker.close();
    }

    public synchronized void startAgain() {
        broker = newBroker(broker.getClusterId()).start();
    }

    private EmbeddedKafkaBroker newBroker(String clusterId) {
        EmbeddedKafkaBroker b = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(port)
                .withControllerPort(controllerPort)
                .withDeleteLogDirsOnClose(false)
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", logDir.toString());
                    p.put("auto.create.topics.enable", "false");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("offsets.topic.num.partitions", "5");
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("transaction.state.log.replication.factor", "1");
                    p.put("transaction.state.log.min.isr", "1");
                });
        return clusterId == null ? b : b.withClusterId(clusterId);
    }

    public String bootstrapServers() {
        return broker.getAdvertisedListeners().replace("PLAINTEXT://", "");
    }

    public void createTopics(List<String> names, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            for (String name : names) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not create the topics within 60 s", e);
        }
    }

    @Override
    public synchronized void close() {
        broker.close();
        Dirs.delete(logDir);
    }
}
