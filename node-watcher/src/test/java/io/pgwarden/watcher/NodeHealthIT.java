package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** Node and pod health changes from the informers reach Kafka, once per change, on a real broker. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class NodeHealthIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @KubernetesTestServer
    KubernetesServer server;

    @Test
    void a_node_going_not_ready_is_published_once_per_change() {
        KubernetesClient client = server.getClient();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            client.nodes().resource(node("node007", "True")).create();
            assertThat(health(probe.await(keyed("node007"), WAIT)).readiness()).isEqualTo(NodeReadiness.READY);

            // A change the watcher does not report (a label) followed by one it does (Ready=False).
            client.nodes().withName("node007").edit(n -> new NodeBuilder(n).editMetadata()
                    .addToLabels("rack", "r1").endMetadata().build());
            client.nodes().withName("node007").editStatus(n -> node("node007", "False"));
            probe.await(keyed("node007").and(r -> health(r).readiness() == NodeReadiness.NOT_READY), WAIT);

            List<ConsumerRecord<String, byte[]>> published = probe.seen().stream().filter(keyed("node007")).toList();
            assertThat(published).extracting(r -> health(r).readiness())
                    .containsExactly(NodeReadiness.READY, NodeReadiness.NOT_READY);
            published.forEach(TopicProbe::assertConformsToContract);
        }
    }

    @Test
    void a_managed_pod_is_published_and_an_unmanaged_one_is_not() {
        KubernetesClient client = server.getClient();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.POD_HEALTH)) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("other-0")
                    .withNamespace("default").endMetadata().build()).create();
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("pg-rook-sf-0")
                    .withNamespace("default").addToLabels("pgwarden.io/managed", "true").endMetadata()
                    .withNewSpec().withNodeName("node001").endSpec().build()).create();

            ConsumerRecord<String, byte[]> record = probe.await(r -> "default/pg-rook-sf-0".equals(r.key()), WAIT);
            TopicProbe.assertConformsToContract(record);
            assertThat(probe.seen()).noneMatch(r -> "default/other-0".equals(r.key()));
        }
    }

    @Test
    void ready_once_the_informers_watch() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("kubernetes-informers")));
    }

    private static java.util.function.Predicate<ConsumerRecord<String, byte[]>> keyed(String node) {
        return r -> node.equals(r.key()) && TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED).test(r);
    }

    private static Node node(String name, String ready) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus()
                .build();
    }

    private static NodeHealthChanged health(ConsumerRecord<String, byte[]> r) {
        try {
            return Json.read(r.value(), NodeHealthChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
