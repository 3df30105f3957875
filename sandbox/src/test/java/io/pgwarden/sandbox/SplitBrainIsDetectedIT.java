package io.pgwarden.sandbox;

import io.pgwarden.contracts.Names;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.pgwarden.sandbox.record.InvariantRecorder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 7, the danger pgwarden exists to prevent: the pod's node is partitioned (its PostgreSQL keeps running),
 * the stuck pod is force-deleted without fencing, the replacement starts on another node once the volume is
 * force-detached, and both write for as long as nobody stops the zombie; the invariant recorder reports two
 * writers of one volume. Two pods on one node are two writers as well.
 */
class SplitBrainIsDetectedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void unfencedForceDeleteOfPartitionedPodIsReportedAsSplitBrain() throws Exception {
        SandboxConfig config = SandboxConfig.fast();
        try (DemoCluster cluster = DemoCluster.start(config)) {
            Pod before = cluster.awaitReady();
            String node = before.getSpec().getNodeName();
            String sandboxUrl = cluster.sandbox.httpApiUrl();
            cluster.sql("CREATE TABLE t(writer text)");
            // A client connected to the old primary before the partition stays connected to it (conntrack).
            Connection zombieClient = cluster.connect();

            assertThat(post(sandboxUrl + "/nodes/" + node + "/partition").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));
            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).withGracePeriod(0).delete();
            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            cluster.sql("INSERT INTO t VALUES ('new primary')");

            // Minutes later the zombie still writes: nothing tells it that another server took its volume. Its
            // postmaster rechecks postmaster.pid once a minute of real time (RecheckDataDirLockFile), a timer the
            // sandbox cannot scale, so the window lasts until it has done so at least once.
            Instant zombieStart = cluster.writers().get(0).start();
            Duration firstRecheck = Duration.between(Instant.now(), zombieStart.plusSeconds(65));
            Duration window = firstRecheck.compareTo(config.scaled(Duration.ofMinutes(3))) > 0 ? firstRecheck
                    : config.scaled(Duration.ofMinutes(3));
            await().during(window).atMost(window.plusSeconds(10)).until(() -> cluster.writers().stream()
                    .anyMatch(w -> w.node().equals(node) && w.end().isEmpty()));
            try (var s = zombieClient.createStatement()) {
                s.execute("INSERT INTO t VALUES ('zombie')");
            }
            cluster.sql("INSERT INTO t VALUES ('new primary again')");

            List<InvariantRecorder.Writer> writers = cluster.writers();
            assertThat(writers).filteredOn(w -> w.node().equals(node) && w.end().isEmpty()).hasSize(1);
            assertThat(writers).filteredOn(w -> w.node().equals(after.getSpec().getNodeName()) && w.end().isEmpty())
                    .hasSize(1);
            JsonNode splitBrains = get(sandboxUrl + "/invariants").path("splitBrains");
            assertThat(splitBrains).hasSize(1);
            JsonNode splitBrain = splitBrains.get(0);
            assertThat(splitBrain.path("volume").asText()).startsWith("0001-0009-rook-ceph-"); // the volume handle
            assertThat(splitBrain.path("firstNode").asText()).isEqualTo(node);
            assertThat(splitBrain.path("secondNode").asText()).isEqualTo(after.getSpec().getNodeName());
            assertThat(splitBrain.path("overlapStart").asText()).isNotEmpty();
            assertThat(splitBrain.path("overlapEnd").isNull()).as("both still write").isTrue();
            zombieClient.close();
            assertThat(cluster.serverLog(node, DemoCluster.POD)).doesNotContain("contains wrong PID");

            // Healing the partition: the kubelet finds its pod gone and stops the zombie as it stops any container,
            // with SIGINT (a fast shutdown), closing the overlap.
            post(sandboxUrl + "/nodes/" + node + "/heal");
            await().atMost(Duration.ofSeconds(30)).until(() -> !get(sandboxUrl + "/invariants")
                    .path("splitBrains").get(0).path("overlapEnd").isNull());
            assertThat(cluster.serverLog(node, DemoCluster.POD)).contains("received fast shutdown request");
        }
    }

    @Test
    void fencingThePartitionedNodeFirstLeavesNoSplitBrain() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            String node = before.getSpec().getNodeName();
            Connection zombieClient = cluster.connect();
            cluster.sandbox.faults().partition(node);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));

            // What pgwarden does: fence at the storage layer, then tell Kubernetes the node is out of service.
            String ip = cluster.sandbox.faults().node(node).orElseThrow().storageAddress();
            cluster.networkFence("fence-" + node, "Fenced", ip + "/32");
            await().atMost(Duration.ofSeconds(20)).until(() -> "Succeeded".equals(
                    cluster.networkFenceStatus("fence-" + node).get("result")));
            assertThat(cluster.writers()).allMatch(w -> w.end().isPresent());
            NodeTaints.outOfService(cluster.client, node, "NoExecute");

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.count("t")).isEqualTo(1);
            // The zombie, still running behind its partition, can write no more.
            assertThatThrownBy(() -> {
                try (var s = zombieClient.createStatement()) {
                    s.execute("INSERT INTO t VALUES (2)");
                }
            }).isInstanceOf(SQLException.class);
            assertThat(cluster.count("t")).isEqualTo(1);
            assertThat(cluster.writers()).extracting(InvariantRecorder.Writer::node).contains(node,
                    after.getSpec().getNodeName());
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }

    @Test
    void twoPodsOnOneNodeWriteOneReadWriteOnceVolume() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod first = cluster.awaitReady();
            String node = first.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(writer text)");
            // ReadWriteOnce is one node, not one pod: a second pod on that node mounts the claim too.
            cluster.client.pods().inNamespace(DemoCluster.NS).resource(new PodBuilder().withNewMetadata()
                    .withName("second").withNamespace(DemoCluster.NS)
                    .withLabels(Map.of("app", "second", Names.MANAGED_LABEL, "true")).endMetadata().withNewSpec()
                    .withNodeName(node).addNewContainer().withName("postgres").withImage(DemoDatabase.IMAGE)
                    .addNewEnv().withName("PGDATA").withValue("/var/lib/postgresql/data/pgdata").endEnv()
                    .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                    .endContainer().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                    .withClaimName("data-" + DemoCluster.POD).endPersistentVolumeClaim().endVolume().endSpec()
                    .build()).create();
            cluster.client.services().inNamespace(DemoCluster.NS).resource(new ServiceBuilder().withNewMetadata()
                    .withName("second").withNamespace(DemoCluster.NS).endMetadata().withNewSpec()
                    .withSelector(Map.of("app", "second")).addNewPort().withPort(5432)
                    .withTargetPort(new IntOrString(5432)).endPort().endSpec().build()).create();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.sandbox.servicePort(DemoCluster.NS, "second")
                    .map(SplitBrainIsDetectedIT::accepts).orElse(false));

            try (Connection second = connect(cluster.sandbox.servicePort(DemoCluster.NS, "second").orElseThrow());
                 var s = second.createStatement()) {
                s.execute("INSERT INTO t VALUES ('second')");
            }
            cluster.sql("INSERT INTO t VALUES ('first')");

            assertThat(cluster.writers()).filteredOn(w -> w.end().isEmpty())
                    .extracting(InvariantRecorder.Writer::node).containsExactly(node, node);
            assertThat(cluster.sandbox.invariants().splitBrains()).singleElement().satisfies(s -> {
                assertThat(s.firstNode()).isEqualTo(node);
                assertThat(s.secondNode()).isEqualTo(node);
                assertThat(s.firstPod()).isEqualTo(DemoCluster.NS + "/" + DemoCluster.POD);
                assertThat(s.secondPod()).isEqualTo(DemoCluster.NS + "/second");
                assertThat(s.overlapEnd()).isEmpty();
            });
        }
    }

    private static boolean accepts(int port) {
        try (Connection c = connect(port)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
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
