package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The walking skeleton through every hop: a REST request to api-gateway, a command on Kafka,
 * failover-service cordons the node on the (sandbox) Kubernetes API, its status comes back on Kafka,
 * the gateway shows it, and node-watcher reports the cordoned node.
 */
@ExtendWith(SystemExtension.class)
class CordonThroughTheGatewayE2E {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void a_cordon_request_cordons_the_node_and_the_uncordon_request_frees_it(RunningSystem system) {
        // Read from the offsets before each request: node002's earlier, schedulable events must not count.
        try (TopicTail afterCordon = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.NODE_HEALTH)) {
            JsonNode cordon = finished(system, system.post("/api/v1/nodes/node002/cordon", "{\"reason\":\"e2e\"}"));
            assertThat(cordon.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(cordon.get("reason").asText()).isEqualTo("cordoned node node002");
            assertThat(system.stack().sandbox().client().nodes().withName("node002").get().getSpec()
                    .getUnschedulable()).isTrue();
            afterCordon.await(r -> "node002".equals(r.key()) && health(r).unschedulable(), WAIT);
        }
        try (TopicTail afterUncordon = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.NODE_HEALTH)) {
            JsonNode uncordon = finished(system, system.post("/api/v1/nodes/node002/uncordon", "{}"));
            assertThat(uncordon.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(system.stack().sandbox().client().nodes().withName("node002").get().getSpec()
                    .getUnschedulable()).isNotEqualTo(true);
            afterUncordon.await(r -> "node002".equals(r.key()) && !health(r).unschedulable(), WAIT);
        }
    }

    @Test
    void the_caller_is_named_in_every_status_and_a_viewer_may_not_cordon(RunningSystem system) {
        try (TopicTail statuses = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.COMMAND_STATUS)) {
            JsonNode cordon = finished(system, system.post("/api/v1/nodes/node003/cordon", "{\"reason\":\"e2e\"}"));
            assertThat(cordon.get("requestedBy").asText()).isEqualTo("local-operator");
            // failover-service, not the gateway, says it: the requester travelled with the command.
            assertThat(statuses.awaitFinal(cordon.get("id").asText(), WAIT).requestedBy()).isEqualTo("local-operator");
            finished(system, system.post("/api/v1/nodes/node003/uncordon", "{}"));
        }
        HttpResponse<String> refused = system.as(io.pgwarden.local.LocalStack.Role.VIEWER)
                .post("/api/v1/nodes/node003/cordon", "{}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
    }

    @Test
    void cordoning_a_node_the_cluster_does_not_have_fails_with_the_reason(RunningSystem system) {
        JsonNode command = finished(system, system.post("/api/v1/nodes/node404/cordon", "{}"));

        assertThat(command.get("state").asText()).isEqualTo("FAILED");
        assertThat(command.get("reason").asText()).isEqualTo("node node404 does not exist");
        assertThat(command.get("service").asText()).isEqualTo("failover-service");
    }

    /** Follows the command's URL until it reaches a final state. */
    static JsonNode finished(RunningSystem system, HttpResponse<String> submitted) {
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String location = submitted.headers().firstValue("Location").orElseThrow();
        String path = location.substring(location.indexOf("/api/"));
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = Json.MAPPER.readTree(system.get(path).body());
            return last[0].get("state").asText().matches("SUCCEEDED|FAILED|REJECTED");
        });
        return last[0];
    }

    private static NodeHealthChanged health(ConsumerRecord<String, byte[]> record) {
        if (!TopicProbe.ofType(MessageType.NODE_HEALTH_CHANGED).test(record)) {
            throw new AssertionError("not a node health event: " + TopicProbe.text(record));
        }
        try {
            return Json.read(record.value(), NodeHealthChanged.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
