package io.pgwarden.failover;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.CordonNode;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An outage of the catalog database or a restart of the broker makes commands wait, never fails,
 * rejects or dead-letters them, and does not stop the consumer: they all run once it is over.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class CommandsSurviveOutagesIT {
    /**
     * Longer than SmallRye's unprocessed-record watchdog would let a record wait (60 s, which closed the consumer
     * before operations' config turned it off), with room for its check, which runs every auto.commit.interval.ms
     * (5 s here): smallrye-reactive-messaging, smallrye-reactive-messaging-kafka/.../commit/
     * KafkaThrottledLatestProcessedCommit.java ({@code flushAndCheckHealth}). The watchdog back on fails this test
     * by about 65 s into the freeze. Also longer than Quarkus's 60 s default transaction timeout and the engine's
     * 30 s claims and database leases (EngineConfig), so all of them run out during the freeze.
     */
    private static final Duration DATABASE_PAUSE = Duration.ofSeconds(80);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @KubernetesTestServer
    KubernetesServer server;

    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        for (int i = 1; i <= 20; i++) {
            server.getClient().nodes().resource(new NodeBuilder().withNewMetadata().withName(node(i)).endMetadata()
                    .withNewSpec().endSpec().build()).createOr(r -> r.update());
        }
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.DEAD_LETTER);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
    }

    @Test
    void commands_sent_while_the_catalog_database_is_frozen_all_run_when_it_is_back() {
        KafkaAndPostgresResource.database().pause();
        List<MessageMetadata> sent = new ArrayList<>();
        try {
            for (int i = 1; i <= 10; i++) {
                sent.add(probe.send("/test", new CordonNode(node(i), "during an outage"), node(i)));
            }
            // Live through the whole freeze, probed as a kubelet would.
            await().during(DATABASE_PAUSE).atMost(DATABASE_PAUSE.plusSeconds(30)).pollInterval(Duration.ofSeconds(5))
                    .until(() -> given().get("/q/health/live").statusCode() == 200);
        } finally {
            KafkaAndPostgresResource.database().resume();
        }
        MessageMetadata after = probe.send("/test", new CordonNode(node(11), "after the outage"), node(11));

        for (MessageMetadata m : sent) {
            assertThat(tail.awaitFinal(m.id(), WAIT).state()).as(m.subject()).isEqualTo(CommandState.SUCCEEDED);
        }
        assertThat(tail.awaitFinal(after.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
        for (int i = 1; i <= 11; i++) {
            assertThat(server.getClient().nodes().withName(node(i)).get().getSpec().getUnschedulable()).isTrue();
        }
        assertThat(tail.matching(r -> r.topic().equals(Topics.DEAD_LETTER))).isEmpty();
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void commands_keep_running_across_a_broker_restart_with_no_gap_in_any_status_sequence() {
        List<MessageMetadata> sent = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            sent.add(probe.send("/test", new CordonNode(node(i), "before the restart"), node(i)));
        }
        KafkaAndPostgresResource.kafka().restart();
        for (int i = 1; i <= 20; i++) {
            sent.add(probe.send("/test", new io.pgwarden.contracts.command.UncordonNode(node(i), "after"), node(i)));
        }

        for (MessageMetadata m : sent) {
            assertThat(tail.awaitFinal(m.id(), WAIT).state()).as(m.subject()).isEqualTo(CommandState.SUCCEEDED);
            List<Long> sequences = tail.statusesOf(m.id()).stream().map(CommandStatusChanged::sequence).toList();
            // A duplicate may come (a batch re-sent after the restart); a gap or a step back may not.
            assertThat(sequences.stream().distinct().toList()).as(m.id()).containsExactly(1L, 2L, 3L);
            assertThat(sequences).as(m.id()).isSorted();
        }
        for (int i = 1; i <= 20; i++) {
            assertThat(server.getClient().nodes().withName(node(i)).get().getSpec().getUnschedulable())
                    .isNotEqualTo(true);
        }
    }

    private static String node(int i) {
        return String.format("node%03d", 100 + i);
    }
}
