package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.sandbox.record.InvariantRecorder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Ceph fencing as the csi-addons NetworkFence and Ceph CSI's own fencing carry it out, and where it misses. */
class StorageFencingIT {

    @Test
    void aNetworkFenceMissingWhatCephCsiNeedsFailsAndFencesNothing() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(i int)");
            Map<String, Object> spec = new HashMap<>(Map.of("driver", StorageNames.CSI_DRIVER, "fenceState", "Fenced",
                    "cidrs", List.of(cluster.sandbox.faults().node(node).orElseThrow().storageAddress() + "/32"),
                    "secret", Map.of("name", "rook-csi-rbd-provisioner", "namespace", "rook-ceph")));
            cluster.networkFenceWithSpec("no-cluster-id", spec);

            await().atMost(Duration.ofSeconds(10)).until(() -> "Failed".equals(
                    cluster.networkFenceStatus("no-cluster-id").get("result")));
            assertThat(cluster.networkFenceStatus("no-cluster-id").get("message")).asString()
                    .contains("missing or empty clusterID");
            // A cluster-scoped object, as the CRD declares it.
            HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    cluster.sandbox.apiServerUrl() + "/apis/csiaddons.openshift.io/v1alpha1/networkfences/no-cluster-id"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(200);
            var kubelet = cluster.sandbox.faults().node(node).orElseThrow();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !kubelet.isFenced());
            cluster.sql("INSERT INTO t VALUES (1)");
            assertThat(cluster.writers()).filteredOn(w -> w.end().isEmpty()).hasSize(1);
        }
    }

    @Test
    void aFenceOnTheInternalIpMissesANodeThatReachesCephOverItsOwnNetwork() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            var kubelet = cluster.sandbox.faults().node(node).orElseThrow();
            kubelet.useStorageAddress("10.20.0.11");
            cluster.sql("CREATE TABLE t(i int)");
            Connection session = cluster.connect();

            // Rook's wrong-address bug: the fence names the InternalIP, Ceph sees the client on the storage network.
            cluster.networkFence("internal-ip", "Fenced", kubelet.internalIp() + "/32");
            await().atMost(Duration.ofSeconds(10)).until(() -> "Succeeded".equals(
                    cluster.networkFenceStatus("internal-ip").get("result")));
            execute(session, "INSERT INTO t VALUES (1)");
            assertThat(kubelet.isFenced()).isFalse();
            assertThat(cluster.writers()).filteredOn(w -> w.end().isEmpty()).hasSize(1);

            cluster.networkFence("storage-network", "Fenced", "10.20.0.0/24");
            await().atMost(Duration.ofSeconds(10)).until(kubelet::isFenced);
            assertThatThrownBy(() -> execute(session, "INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void cephCsiFencingBlocklistsTheNodeItUnpublishesOutOfService() throws Exception {
        try (DemoCluster cluster = DemoCluster.start(SandboxConfig.fast().withCephCsiFencing(true))) {
            Pod before = cluster.awaitReady();
            String node = before.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            Connection zombieClient = cluster.connect();
            partitionAndTakeOutOfService(cluster, node);

            Pod after = cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(after.getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(cluster.writers()).extracting(InvariantRecorder.Writer::node)
                    .contains(node, after.getSpec().getNodeName());
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
            assertThat(cluster.sandbox.faults().node(node).orElseThrow().isFenced()).isTrue();
            assertThatThrownBy(() -> execute(zombieClient, "INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class);
            assertThat(cluster.count("t")).isEqualTo(1);
        }
    }

    @Test
    void withoutCephCsiFencingTheOutOfServiceTaintAloneLeavesTheZombieWriting() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            String node = before.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(i int)");
            Connection zombieClient = cluster.connect();
            partitionAndTakeOutOfService(cluster, node);

            cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            execute(zombieClient, "INSERT INTO t VALUES (2)");
            assertThat(cluster.sandbox.invariants().splitBrains()).hasSize(1);
        }
    }

    private static void partitionAndTakeOutOfService(DemoCluster cluster, String node) {
        cluster.sandbox.faults().partition(node);
        await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(node)));
        NodeTaints.outOfService(cluster.client, node, "NoExecute");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (var s = connection.createStatement()) {
            s.execute(sql);
        }
    }
}
