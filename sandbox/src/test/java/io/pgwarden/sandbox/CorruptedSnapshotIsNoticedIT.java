package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restore drill's two outcomes on the sandbox: a throw-away PostgreSQL pod on a claim restored from a snapshot
 * corrupted through the fault API refuses to start ("incorrect checksum in control file") and is never Ready; one
 * on a claim restored from an intact snapshot of the same moment serves its rows.
 */
class CorruptedSnapshotIsNoticedIT {
    private static final String API = "snapshot.storage.k8s.io/v1";

    @Test
    void aServerOnACorruptedSnapshotRefusesToStartAndOneOnAnIntactSnapshotServes() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 42); CHECKPOINT");
            var snapshots = cluster.client.genericKubernetesResources(API, "VolumeSnapshot");
            for (String name : new String[]{"intact", "bad"}) {
                snapshots.inNamespace(DemoCluster.NS).resource(new GenericKubernetesResourceBuilder().withApiVersion(API)
                        .withKind("VolumeSnapshot").withNewMetadata().withName(name).withNamespace(DemoCluster.NS)
                        .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("source",
                                Map.of("persistentVolumeClaimName", "data-" + DemoDatabase.NAME + "-0")))).build()).create();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(snapshots.inNamespace(DemoCluster.NS).withName("intact").get())
                    && ready(snapshots.inNamespace(DemoCluster.NS).withName("bad").get()));

            HttpResponse<String> corrupted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    cluster.sandbox.httpApiUrl() + "/snapshots/" + DemoCluster.NS + "/bad/corrupt"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(corrupted.statusCode()).as(corrupted.body()).isEqualTo(200);
            HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    cluster.sandbox.httpApiUrl() + "/rbd-snapshots/replicapool/csi-vol-nope/s1/corrupt"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);

            checker(cluster, "intact");
            checker(cluster, "bad");
            await("the pod on the intact snapshot answers").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> count(cluster, "intact") >= 0);
            assertThat(count(cluster, "intact")).isEqualTo(42);

            await("the server on the corrupted snapshot refuses to start").atMost(Duration.ofSeconds(60))
                    .until(() -> log(cluster, "check-bad").contains("incorrect checksum in control file"));
            Pod bad = cluster.client.pods().inNamespace(DemoCluster.NS).withName("check-bad").get();
            assertThat(DemoCluster.isReady(bad)).isFalse();
            assertThat(cluster.count("t")).as("the database itself is untouched").isEqualTo(42);
        }
    }

    /** A claim restored from the snapshot, a bare postgres pod on it and a Service to reach it. */
    private static void checker(DemoCluster cluster, String snapshot) {
        String name = "check-" + snapshot;
        cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).withNamespace(DemoCluster.NS).endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().withNewDataSourceRef().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                .withName(snapshot).endDataSourceRef().endSpec().build()).create();
        cluster.client.pods().inNamespace(DemoCluster.NS).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(DemoCluster.NS).withLabels(Map.of("app", name)).endMetadata().withNewSpec()
                .addNewContainer().withName("postgres").withImage("postgres:17").addNewEnv().withName("PGDATA")
                .withValue(DemoDatabase.PGDATA).endEnv().addNewVolumeMount().withName("data")
                .withMountPath("/var/lib/postgresql/data").endVolumeMount().endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(name)
                .endPersistentVolumeClaim().endVolume().endSpec().build()).create();
        cluster.client.services().inNamespace(DemoCluster.NS).resource(new ServiceBuilder().withNewMetadata()
                .withName(name).withNamespace(DemoCluster.NS).endMetadata().withNewSpec()
                .withSelector(Map.of("app", name)).addNewPort().withPort(5432)
                .withTargetPort(new IntOrString(5432)).endPort().endSpec().build()).create();
    }

    /** The container log the node keeps of the pod (dataDir/logs/<node>/<pod>.log). */
    private static String log(DemoCluster cluster, String pod) throws Exception {
        Pod p = cluster.client.pods().inNamespace(DemoCluster.NS).withName(pod).get();
        if (p == null || p.getSpec().getNodeName() == null) {
            return "";
        }
        Path log = cluster.dataDir.resolve("logs").resolve(p.getSpec().getNodeName()).resolve(pod + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static long count(DemoCluster cluster, String snapshot) throws Exception {
        int port = cluster.sandbox.servicePort(DemoCluster.NS, "check-" + snapshot).orElseThrow();
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean ready(GenericKubernetesResource snapshot) {
        return snapshot != null && snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && Boolean.TRUE.equals(status.get("readyToUse"));
    }
}
