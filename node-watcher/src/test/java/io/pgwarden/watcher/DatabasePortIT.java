package io.pgwarden.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.NodeEdits;
import io.pgwarden.testing.TopicTail;
import io.pgwarden.watcher.health.ApiView;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static io.pgwarden.watcher.NodeLivenessIT.health;
import static io.pgwarden.watcher.NodeLivenessIT.keyed;
import static io.pgwarden.watcher.NodeLivenessIT.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * node-watcher on the sandbox cluster (a tenth of real time: the lease stale 1.5 s after the last renewal, the node
 * controller's Ready=Unknown after 5 s) with the demo database: the node under its pod has no BMC and stays Ready
 * for those 5 s, so when it is partitioned only the database port can agree with the stale lease. The sandbox
 * publishes where a pod's IP answers ({@code GET /pods/{ns}/{name}}); a partitioned node's pod does not answer from
 * node-watcher's side, though its PostgreSQL keeps running.
 */
@QuarkusTest
@TestProfile(DatabasePortIT.OnTheSandbox.class)
class DatabasePortIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String POD = DemoDatabase.NAME + "-0";

    /** The sandbox, and one replica that always leads. */
    public static class OnTheSandbox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgwarden.leader-election.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SandboxResource.class));
        }
    }

    @Inject
    HealthWatcher watcher;

    private final Sandbox sandbox = SandboxResource.sandbox();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void every_node_is_heard_from() {
        await().atMost(WAIT).until(() -> watcher.liveness().view().filter(ApiView::sees).isPresent()
                && SandboxResource.NODES.stream().allMatch(n -> watcher.liveness().verdict(n)
                .filter(v -> v.liveness() == ALIVE && v.reason().startsWith("lease renewed")).isPresent()));
    }

    @Test
    void a_partitioned_node_without_a_bmc_is_unreachable_by_its_database_port_before_the_node_controller_says_so()
            throws Exception {
        sandbox.deployDemoDatabase();
        Pod pod = await().atMost(WAIT).until(() -> sandbox.client().pods().inNamespace(DemoDatabase.NAMESPACE)
                .withName(POD).get(), p -> p != null && p.getStatus() != null && p.getStatus().getPodIP() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
        String node = pod.getSpec().getNodeName();
        JsonNode reachable = podAddress();
        assertThat(reachable.path("reachable").asBoolean()).as(reachable.toString()).isTrue();
        try (Socket connection = new Socket()) {
            connection.connect(new InetSocketAddress(reachable.path("host").asText(), reachable.path("port").asInt()),
                    1000); // the pod's PostgreSQL, where the sandbox says it answers
        }
        NodeEdits.annotate(sandbox.client(), node, Names.BMC_ADDRESS_ANNOTATION, null);

        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.NODE_HEALTH)) {
            long partitioned = System.nanoTime();
            sandbox.faults().partition(node);
            assertThat(podAddress().path("reachable").asBoolean()).as("lost from node-watcher's side").isFalse();

            NodeHealthChanged unreachable = health(tail.await(keyed(node, h -> h.liveness() == UNREACHABLE), WAIT));
            long detected = System.nanoTime();
            assertThat(unreachable.livenessReason()).contains("; power state unknown; database port of "
                    + DemoDatabase.NAMESPACE + "/" + POD + " (" + pod.getStatus().getPodIP() + ":5432) does not "
                    + "answer (connect timed out)");
            assertThat(unreachable.readiness()).as("published while the node controller still had it Ready")
                    .isEqualTo(NodeReadiness.READY);
            assertThat(unreachable.powerState()).as("no BMC").isNull();

            tail.await(keyed(node, h -> h.readiness() == NodeReadiness.UNKNOWN), WAIT);
            System.out.printf("DATABASE PORT DETECTION (time scale %s, connect timeout 1 s real): partition -> "
                            + "UNREACHABLE %d ms, -> the node controller's Ready=Unknown %d ms%n",
                    SandboxResource.TIME_SCALE, Duration.ofNanos(detected - partitioned).toMillis(),
                    Duration.ofNanos(System.nanoTime() - partitioned).toMillis());

            sandbox.faults().heal(node);
            tail.await(keyed(node, h -> h.liveness() == ALIVE && h.sequence() > unreachable.sequence()), WAIT);
        }
        assertThat(metric("pgwarden_watcher_database_port_probes_total", "result=\"silent\"")).isPositive();
    }

    private JsonNode podAddress() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sandbox.httpApiUrl() + "/pods/"
                + DemoDatabase.NAMESPACE + "/" + POD)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }
}
