package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reads of the packaged system: the gateway lists the sandbox's nodes from node-watcher's events, and
 * forwards incident reads to failover-service on the port the launcher gave it.
 */
@ExtendWith(SystemExtension.class)
class NodesAndIncidentsThroughTheGatewayE2E {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void the_nodes_show_what_node_watcher_saw_and_a_cordon_shows_up(RunningSystem system) throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode answer = nodes(system);
            assertThat(answer.get("complete").asBoolean()).isTrue();
            assertThat(answer.get("incidentsUnavailable").isNull()).as(answer.toString()).isTrue();
            assertThat(names(answer)).contains("node001", "node003");
        });
        JsonNode node003 = node(nodes(system), "node003");
        assertThat(node003.get("ready").asText()).isEqualTo("READY");
        assertThat(node003.get("fenced").asBoolean()).isFalse();
        assertThat(node003.get("observedAt").asText()).isNotEmpty();

        CordonThroughTheGatewayE2E.finished(system, system.post("/api/v1/nodes/node003/cordon", "{\"reason\":\"e2e\"}"));
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> node(nodes(system), "node003").get("cordoned").asBoolean());
        } finally {
            CordonThroughTheGatewayE2E.finished(system, system.post("/api/v1/nodes/node003/uncordon", "{}"));
        }
    }

    @Test
    void incident_reads_answer_from_failover_service_s_incidents(RunningSystem system) throws Exception {
        HttpResponse<String> open = system.get("/api/v1/incidents?state=open");
        assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(open.body()).get("items").isArray()).as(open.body()).isTrue();

        HttpResponse<String> unknown = system.get("/api/v1/incidents/no-such-incident");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
    }

    private static JsonNode nodes(RunningSystem system) throws Exception {
        HttpResponse<String> response = system.get("/api/v1/nodes");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static List<String> names(JsonNode answer) {
        List<String> names = new ArrayList<>();
        answer.get("nodes").forEach(n -> names.add(n.get("name").asText()));
        return names;
    }

    private static JsonNode node(JsonNode answer, String name) {
        for (JsonNode n : answer.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + answer);
    }
}
