package io.pgwarden.failover;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Commands from Kafka cordon and uncordon nodes; on a real broker and a real PostgreSQL. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class NodeCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @KubernetesTestServer
    KubernetesServer server;

    private TopicProbe probe;

    @BeforeEach
    void setUp() {
        KubernetesClient client = server.getClient();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node001").endMetadata()
                .withNewSpec().endSpec().build()).createOr(r -> r.update());
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(),
                Topics.COMMAND_STATUS, Topics.ACTIVITY, Topics.DEAD_LETTER);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    @Test
    void cordon_then_uncordon_change_the_node_and_report_each_step() {
        MessageMetadata cordon = probe.send("/test/other-system", new CordonNode("node001", "kernel upgrade"), "node001");

        CommandStatusChanged done = finalStatus(cordon.id());
        assertThat(done.state().name()).isEqualTo("SUCCEEDED");
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isTrue();
        List<String> states = probe.seen().stream().filter(ofType(MessageType.COMMAND_STATUS_CHANGED))
                .filter(correlatedTo(cordon.id())).map(r -> status(r).state().name()).toList();
        assertThat(states).containsExactly("ACCEPTED", "RUNNING", "SUCCEEDED");
        ConsumerRecord<String, byte[]> activity = probe.await(
                ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(cordon.id())), WAIT);
        assertThat(activity.key()).isEqualTo("node001");
        assertThat(TopicProbe.text(activity)).contains("\"action\":\"NodeCordoned\"");

        MessageMetadata uncordon = probe.send("/test/other-system", new UncordonNode("node001", null), "node001");
        assertThat(finalStatus(uncordon.id()).state().name()).isEqualTo("SUCCEEDED");
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isNotEqualTo(true);

        probe.seen().forEach(TopicProbe::assertConformsToContract);
    }

    @Test
    void a_redelivered_command_runs_once() {
        MessageMetadata metadata = MessageMetadata.create("/test", MessageType.CORDON_NODE, Instant.now(), "node001", null);
        byte[] body = Json.write(new CordonNode("node001", null));
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(metadata), body);
        finalStatus(metadata.id());
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(metadata), body);
        // A marker command behind the duplicate on the same partition: once it is done, the duplicate was handled.
        MessageMetadata marker = probe.send("/test", new UncordonNode("node001", null), "node001");
        finalStatus(marker.id());

        // The final status is sent again for the redelivery, and the node is not cordoned a second time.
        await().atMost(WAIT).until(() -> probe.seen().stream().filter(ofType(MessageType.COMMAND_STATUS_CHANGED))
                .filter(correlatedTo(metadata.id())).filter(r -> status(r).state().isFinal()).count() == 2);
        List<ConsumerRecord<String, byte[]>> activities = probe.seen().stream()
                .filter(ofType(MessageType.ACTIVITY_RECORDED)).filter(correlatedTo(metadata.id())).toList();
        assertThat(activities).hasSize(1);
    }

    @Test
    void cordoning_a_node_that_does_not_exist_fails_with_the_reason() {
        MessageMetadata cordon = probe.send("/test", new CordonNode("node404", null), "node404");

        CommandStatusChanged done = finalStatus(cordon.id());
        assertThat(done.state().name()).isEqualTo("FAILED");
        assertThat(done.reason()).isEqualTo("node node404 does not exist");
    }

    @Test
    void a_bad_command_is_dead_lettered_and_rejected_and_the_next_one_still_runs() {
        MessageMetadata bad = MessageMetadata.create("/test", MessageType.CORDON_NODE, Instant.now(), "x", null);
        probe.sendRaw(Topics.COMMANDS, "x", CloudEventsKafka.headers(bad),
                "{\"node\":\"Bad Name!\"}".getBytes(StandardCharsets.UTF_8));
        probe.sendRaw(Topics.COMMANDS, "x", new org.apache.kafka.common.header.internals.RecordHeaders(),
                "garbage without headers".getBytes(StandardCharsets.UTF_8));
        MessageMetadata good = probe.send("/test", new CordonNode("node001", null), "node001");

        assertThat(finalStatus(good.id()).state().name()).isEqualTo("SUCCEEDED");
        CommandStatusChanged rejected = finalStatus(bad.id());
        assertThat(rejected.state().name()).isEqualTo("REJECTED");
        assertThat(rejected.reason()).contains("node must be a DNS-1123 subdomain");

        ConsumerRecord<String, byte[]> dead = probe.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                && TopicProbe.text(r).contains("Bad Name!"), WAIT);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-reason")).get().asString()
                .contains("node must be a DNS-1123 subdomain");
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-topic")).contains(Topics.COMMANDS);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-offset")).isPresent();
        assertThat(CloudEventsKafka.header(dead.headers(), CloudEventsKafka.H_ID)).contains(bad.id());
        probe.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                && TopicProbe.text(r).equals("garbage without headers"), WAIT);
    }

    private CommandStatusChanged finalStatus(String commandId) {
        Predicate<ConsumerRecord<String, byte[]>> isFinal = r -> status(r).state().isFinal();
        return status(probe.await(ofType(MessageType.COMMAND_STATUS_CHANGED).and(correlatedTo(commandId)).and(isFinal), WAIT));
    }

    private static CommandStatusChanged status(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), CommandStatusChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
