package io.pgwarden.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fault API: process kills, nodes added, unknown names, storage fencing (Redfish: RedfishResetTakesTimeIT). */
class FaultInjectionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void killedProcessIsRestartedInTheSamePod() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            var response = send("POST", cluster.sandbox.httpApiUrl() + "/pods/default/pg-rook-sf-0/kill", "");
            assertThat(response.statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Pod p = cluster.pod();
                return p.getStatus().getContainerStatuses().get(0).getRestartCount() == 1 && DemoCluster.isReady(p);
            });
            Pod after = cluster.awaitReady();
            assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
            assertThat(after.getSpec().getNodeName()).isEqualTo(before.getSpec().getNodeName());
            assertThat(cluster.count("t")).isEqualTo(1);
        }
    }

    @Test
    void nodesAreAddedAndUnknownNamesAnswer404() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            assertThat(cluster.sandbox.demoDatabaseJdbcUrl()).as("the Service port is known from the start")
                    .hasValueSatisfying(u -> assertThat(u).startsWith("jdbc:postgresql://127.0.0.1:"));
            String url = cluster.sandbox.httpApiUrl();
            assertThat(send("POST", url + "/nodes", "{\"name\":\"node004\"}").statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(cluster.readiness("node004")));
            JsonNode nodes = JSON.readTree(send("GET", url + "/nodes", "").body()).path("nodes");
            assertThat(nodes).hasSize(4);
            assertThat(nodes.get(3).path("power").asText()).isEqualTo("On");

            var unknown = send("POST", url + "/nodes/node999/power-off", "");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).path("reason").asText()).contains("node999");
            assertThat(send("POST", url + "/pods/default/nope/kill", "").statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(send("GET", url + "/timeline", "").body()).path("entries")).isNotEmpty();

            assertThat(send("DELETE", url + "/nodes/node004", "").statusCode()).isEqualTo(200);
            assertThat(cluster.node("node004")).isNull();
            assertThat(JSON.readTree(send("GET", url + "/nodes", "").body()).path("nodes")).hasSize(3);
        }
    }

    @Test
    void networkFenceMakesTheNodesWritesFailWhileASessionStillReads() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            java.sql.Connection session = cluster.connect();
            try (var s = session.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
            }
            String ip = cluster.sandbox.faults().node(node).orElseThrow().storageAddress();
            cluster.networkFence("fence-" + node, "Fenced", ip + "/32");

            await().atMost(Duration.ofSeconds(10)).until(() -> "Succeeded".equals(
                    cluster.networkFenceStatus("fence-" + node).get("result")));
            assertThat(cluster.networkFenceStatus("fence-" + node).get("message")).isEqualTo("fencing operation successful");
            assertThat(cluster.writers()).allMatch(w -> w.end().isPresent());
            // The server still runs: a session answers from shared buffers, a write PANICs on its WAL write.
            try (var s = session.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
            assertThatThrownBy(() -> {
                try (var s = session.createStatement()) {
                    s.execute("INSERT INTO t VALUES (2)");
                }
            }).isInstanceOf(java.sql.SQLException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.serverLog(node, DemoCluster.POD)
                    .contains("PANIC:  could not write to log file"));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> !DemoCluster.isReady(cluster.pod()));

            cluster.networkFence("fence-" + node, "Unfenced", ip + "/32");
            Pod back = cluster.awaitReady();
            assertThat(back.getSpec().getNodeName()).isEqualTo(node);
            assertThat(cluster.networkFenceStatus("fence-" + node).get("message")).isEqualTo("unfencing operation successful");
            assertThat(cluster.count("t")).as("the failed write never reached the volume").isEqualTo(1);
        }
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, body.isEmpty()
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
