package io.pgwarden.failover;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static org.assertj.core.api.Assertions.assertThat;

/** Commands from Kafka become operations that cordon and uncordon nodes; on a real broker and a real PostgreSQL. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class NodeCommandsIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @KubernetesTestServer
    KubernetesServer server;

    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        server.getClient().nodes().resource(new NodeBuilder().withNewMetadata().withName("node001").endMetadata()
                .withNewSpec().endSpec().build()).createOr(r -> r.update());
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(),
                Topics.COMMAND_STATUS, Topics.ACTIVITY, Topics.DEAD_LETTER);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
    }

    @Test
    void cordon_then_uncordon_change_the_node_and_report_each_step_in_order() {
        MessageMetadata cordon = probe.send("/test/other-system", new CordonNode("node001", "kernel upgrade"), "node001");

        CommandStatusChanged done = tail.awaitFinal(cordon.id(), WAIT);
        assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(done.reason()).isEqualTo("cordoned node node001");
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isTrue();
        assertThat(tail.statusesOf(cordon.id())).extracting(s -> s.state() + "#" + s.sequence())
                .containsExactly("ACCEPTED#1", "RUNNING#2", "SUCCEEDED#3");
        ConsumerRecord<String, byte[]> activity = tail.await(
                ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(cordon.id())), WAIT);
        assertThat(activity.key()).isEqualTo("node001");
        assertThat(TopicProbe.text(activity)).contains("\"action\":\"NodeCordoned\"", "\"changed\":true");

        MessageMetadata uncordon = probe.send("/test/other-system", new UncordonNode("node001", null), "node001");
        assertThat(tail.awaitFinal(uncordon.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isNotEqualTo(true);

        tail.matching(r -> true).forEach(TopicProbe::assertConformsToContract);
    }

    @Test
    void a_redelivered_command_runs_once() {
        MessageMetadata metadata = MessageMetadata.create("/test", MessageType.CORDON_NODE, Instant.now(), "node001", null);
        byte[] body = Json.write(new CordonNode("node001", null));
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(metadata), body);
        tail.awaitFinal(metadata.id(), WAIT);
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(metadata), body);
        // A marker behind the duplicate on the same partition, and on the same subject, so it runs after it.
        MessageMetadata marker = probe.send("/test", new UncordonNode("node001", null), "node001");
        tail.awaitFinal(marker.id(), WAIT);

        assertThat(tail.statusesOf(metadata.id())).extracting(CommandStatusChanged::state)
                .containsExactly(CommandState.ACCEPTED, CommandState.RUNNING, CommandState.SUCCEEDED);
        assertThat(tail.matching(ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(metadata.id())))).hasSize(1);
    }

    @Test
    void commands_for_one_node_run_in_the_order_they_were_sent() {
        List<MessageMetadata> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(probe.send("/test", i % 2 == 0 ? new CordonNode("node001", null) : new UncordonNode("node001", null),
                    "node001"));
        }
        List<String> ids = sent.stream().map(MessageMetadata::id).toList();
        // Statuses are keyed by command id, so they spread over partitions; each command's one activity is
        // keyed by the node, so the activities of node001 arrive in the order the operations finished.
        tail.await(ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(ids.get(ids.size() - 1))), WAIT);
        List<String> finished = tail.matching(ofType(MessageType.ACTIVITY_RECORDED)).stream()
                .map(r -> CloudEventsKafka.header(r.headers(), CloudEventsKafka.H_CORRELATION_ID).orElse(""))
                .filter(ids::contains).toList();
        assertThat(finished).containsExactlyElementsOf(ids);
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isNotEqualTo(true);
    }

    @Test
    void cordoning_a_node_that_does_not_exist_fails_with_the_reason() {
        MessageMetadata cordon = probe.send("/test", new CordonNode("node404", null), "node404");

        CommandStatusChanged done = tail.awaitFinal(cordon.id(), WAIT);
        assertThat(done.state()).isEqualTo(CommandState.FAILED);
        assertThat(done.reason()).isEqualTo("node node404 does not exist");
    }

    @Test
    void an_expired_command_is_rejected_with_both_times_and_takes_no_action() {
        Instant now = Instant.now();
        MessageMetadata expired = new MessageMetadata(java.util.UUID.randomUUID().toString(), "/test",
                MessageType.CORDON_NODE.ceType(), now.minusSeconds(120), "node001", null)
                .expiringAt(now.minusSeconds(60));
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(expired),
                Json.write(new CordonNode("node001", "replayed")));
        MessageMetadata old = new MessageMetadata(java.util.UUID.randomUUID().toString(), "/test",
                MessageType.CORDON_NODE.ceType(), now.minus(Duration.ofHours(2)), "node001", null);
        probe.sendRaw(Topics.COMMANDS, "node001", CloudEventsKafka.headers(old),
                Json.write(new CordonNode("node001", "replayed")));

        CommandStatusChanged rejected = tail.awaitFinal(expired.id(), WAIT);
        assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
        assertThat(rejected.reason()).startsWith("expired: sent at " + expired.time())
                .contains("expired at " + expired.expiresAt(), "seen at ");
        CommandStatusChanged tooOld = tail.awaitFinal(old.id(), WAIT);
        assertThat(tooOld.state()).isEqualTo(CommandState.REJECTED);
        assertThat(tooOld.reason()).contains("default age limit PT1H");
        assertThat(server.getClient().nodes().withName("node001").get().getSpec().getUnschedulable()).isNotEqualTo(true);
        assertThat(tail.matching(ofType(MessageType.ACTIVITY_RECORDED).and(
                correlatedTo(expired.id()).or(correlatedTo(old.id()))))).isEmpty();
    }

    @Test
    void a_bad_command_is_dead_lettered_and_rejected_and_the_next_one_still_runs() {
        MessageMetadata bad = MessageMetadata.create("/test", MessageType.CORDON_NODE, Instant.now(), "x", null);
        probe.sendRaw(Topics.COMMANDS, "x", CloudEventsKafka.headers(bad),
                "{\"node\":\"Bad Name!\"}".getBytes(StandardCharsets.UTF_8));
        probe.sendRaw(Topics.COMMANDS, "x", new RecordHeaders(), "garbage without headers".getBytes(StandardCharsets.UTF_8));
        MessageMetadata good = probe.send("/test", new CordonNode("node001", null), "node001");

        assertThat(tail.awaitFinal(good.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
        CommandStatusChanged rejected = tail.awaitFinal(bad.id(), WAIT);
        assertThat(rejected.state()).isEqualTo(CommandState.REJECTED);
        assertThat(rejected.reason()).contains("node must be a DNS-1123 subdomain");

        ConsumerRecord<String, byte[]> dead = tail.await(r -> r.topic().equals(Topics.DEAD_LETTER)
                && TopicProbe.text(r).contains("Bad Name!"), WAIT);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-reason")).get().asString()
                .contains("node must be a DNS-1123 subdomain");
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-topic")).contains(Topics.COMMANDS);
        assertThat(CloudEventsKafka.header(dead.headers(), "dead-letter-offset")).isPresent();
        assertThat(CloudEventsKafka.header(dead.headers(), CloudEventsKafka.H_ID)).contains(bad.id());
        tail.await(r -> r.topic().equals(Topics.DEAD_LETTER) && TopicProbe.text(r).equals("garbage without headers"), WAIT);
    }
}
