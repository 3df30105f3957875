package io.pgwarden.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.control.ClusterView;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose container runtime is down: the kubelet still renews its lease but posts Ready=False, and the node
 * lifecycle controller taints it node.kubernetes.io/not-ready, NoSchedule and NoExecute; the taints go when it is
 * Ready again.
 */
class NodeNotReadyIsTaintedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void runtimeDownNodeIsNotReadyAndTaintedNotReady() throws Exception {
        try (Sandbox sandbox = PlainPods.start(SandboxConfig.fast())) {
            var client = sandbox.client();
            var down = post(sandbox.httpApiUrl() + "/nodes/node001/runtime-down");
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(down.body()).path("runtime").asText()).isEqualTo("Down");

            await().atMost(Duration.ofSeconds(10)).until(() -> ClusterView.ready(client.nodes().withName("node001")
                    .get()).map(NodeCondition::getStatus).orElse("").equals("False"));
            assertThat(ClusterView.ready(client.nodes().withName("node001").get()).orElseThrow().getMessage())
                    .isEqualTo("container runtime is down");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    PlainPods.hasTaint(client, "node001", Names.TAINT_NOT_READY, "NoSchedule")
                    && PlainPods.hasTaint(client, "node001", Names.TAINT_NOT_READY, "NoExecute"));
            assertThat(PlainPods.hasTaint(client, "node001", Names.TAINT_UNREACHABLE, "NoExecute")).isFalse();
            ZonedDateTime renewed = renewTime(sandbox);
            await().atMost(Duration.ofSeconds(5)).until(() -> renewTime(sandbox).isAfter(renewed));

            post(sandbox.httpApiUrl() + "/nodes/node001/runtime-up");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    !PlainPods.hasTaint(client, "node001", Names.TAINT_NOT_READY, "NoSchedule")
                    && !PlainPods.hasTaint(client, "node001", Names.TAINT_NOT_READY, "NoExecute"));
            JsonNode node = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sandbox.httpApiUrl()
                    + "/nodes/node001")).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(node.path("ready").asText()).isEqualTo("True");
            assertThat(node.path("runtime").asText()).isEqualTo("Up");
        }
    }

    private static ZonedDateTime renewTime(Sandbox sandbox) {
        return sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName("node001").get().getSpec()
                .getRenewTime();
    }

    private HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
