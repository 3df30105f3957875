package io.pgwarden.sandbox;

import io.pgwarden.contracts.Names;
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
import static org.awaitility.Awaitility.await;

/**
 * Scenario 7, the danger pgwarden exists to prevent: the pod's node is partitioned (its PostgreSQL keeps running),
 * the stuck pod is force-deleted without fencing, the replacement starts on another node once the volume is
 * force-detached, and the invariant recorder reports two writers of one volume.
 */
class SplitBrainIsDetectedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void unfencedForceDeleteOfPartitionedPodIsReportedAsSplitBrain() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            String node = before.getSpec().getNodeName();
            String sandboxUrl = cluster.sandbox.httpApiUrl();
            cluster.sql("CREATE TABLE t(writer text)");
            // A client connected to the old primary before the partition stays connected to it (conntrack).
            java.sql.Connection zombieClient = cluster.connect();

            assertThat(post(sandboxUrl + "/nodes/" + node + "/partition").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));
            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).withGracePeriod(0).delete();

            await().atMost(Duration.ofSeconds(60)).until(() -> !get(sandboxUrl + "/invariants").path("splitBrains").isEmpty());
            JsonNode splitBrain = get(sandboxUrl + "/invariants").path("splitBrains").get(0);
            assertThat(splitBrain.path("volume").asText()).startsWith("0001-0009-rook-ceph-"); // the volume handle
            assertThat(splitBrain.path("firstNode").asText()).isEqualTo(node);
            assertThat(splitBrain.path("secondNode").asText()).isNotEqualTo(node);
            assertThat(splitBrain.path("overlapStart").asText()).isNotEmpty();
            // Both primaries accept writes on one volume: the zombie through its old connection, the new one
            // through the Service.
            try (var s = zombieClient.createStatement()) {
                s.execute("INSERT INTO t VALUES ('zombie')");
            }
            cluster.awaitReady();
            cluster.sql("INSERT INTO t VALUES ('new primary')");
            zombieClient.close();

            // Healing the partition: the kubelet finds its pod deleted and kills the zombie, closing the overlap.
            post(sandboxUrl + "/nodes/" + node + "/heal");
            await().atMost(Duration.ofSeconds(30)).until(() -> !get(sandboxUrl + "/invariants")
                    .path("splitBrains").get(0).path("overlapEnd").isNull());
        }
    }

    @Test
    void fencingThePartitionedNodeFirstLeavesNoSplitBrain() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            String node = before.getSpec().getNodeName();
            cluster.sandbox.faults().partition(node);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));

            // What pgwarden does: fence at the storage layer, then tell Kubernetes the node is out of service.
            String ip = cluster.sandbox.faults().node(node).orElseThrow().internalIp();
            cluster.client.genericKubernetesResources("csiaddons.openshift.io/v1alpha1", "NetworkFence")
                    .resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                            .withApiVersion("csiaddons.openshift.io/v1alpha1").withKind("NetworkFence")
                            .withNewMetadata().withName("fence-" + node).endMetadata()
                            .withAdditionalProperties(java.util.Map.of("spec", java.util.Map.of("driver",
                                    StorageNames.CSI_DRIVER, "fenceState", "Fenced", "cidrs", java.util.List.of(ip + "/32"))))
                            .build()).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.sandbox.invariants().writers().stream()
                    .allMatch(w -> w.end().isPresent()));
            cluster.client.nodes().withName(node).edit(n -> {
                n.getSpec().getTaints().add(new io.fabric8.kubernetes.api.model.TaintBuilder()
                        .withKey(Names.TAINT_OUT_OF_SERVICE).withValue("nodeshutdown").withEffect("NoExecute").build());
                return n;
            });

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(1);
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }

    private HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String url) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
