package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A throw-away pod of the postgres image, not managed by anything, runs PostgreSQL on a claim restored (through
 * dataSourceRef) from a snapshot of the live demo database and sees the snapshot's rows.
 */
class ThrowAwayPostgresPodReadsRestoredClaimIT {
    private static final String API = "snapshot.storage.k8s.io/v1";

    @Test
    void aPostgresPodOnARestoredClaimSeesTheSnapshotsRows() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 42)");
            var snapshots = cluster.client.genericKubernetesResources(API, "VolumeSnapshot");
            snapshots.inNamespace(DemoCluster.NS).resource(new GenericKubernetesResourceBuilder().withApiVersion(API)
                    .withKind("VolumeSnapshot").withNewMetadata().withName("live").withNamespace(DemoCluster.NS)
                    .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("source",
                            Map.of("persistentVolumeClaimName", "data-" + DemoDatabase.NAME + "-0")))).build()).create();
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(snapshots.inNamespace(DemoCluster.NS).withName("live").get()));
            cluster.sql("INSERT INTO t SELECT generate_series(43, 50)");

            cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("check").withNamespace(DemoCluster.NS).endMetadata().withNewSpec()
                    .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                    .endResources().withNewDataSourceRef().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                    .withName("live").endDataSourceRef().endSpec().build()).create();
            cluster.client.pods().inNamespace(DemoCluster.NS).resource(new PodBuilder().withNewMetadata().withName("checker")
                    .withNamespace(DemoCluster.NS).withLabels(Map.of("app", "checker")).endMetadata().withNewSpec()
                    .addNewContainer().withName("postgres").withImage("postgres:17").addNewEnv().withName("PGDATA")
                    .withValue("/var/lib/postgresql/data/pgdata").endEnv().addNewVolumeMount().withName("data")
                    .withMountPath("/var/lib/postgresql/data").endVolumeMount().endContainer()
                    .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("check")
                    .endPersistentVolumeClaim().endVolume().endSpec().build()).create();
            cluster.client.services().inNamespace(DemoCluster.NS).resource(new ServiceBuilder().withNewMetadata()
                    .withName("checker").withNamespace(DemoCluster.NS).endMetadata().withNewSpec()
                    .withSelector(Map.of("app", "checker")).addNewPort().withPort(5432)
                    .withTargetPort(new IntOrString(5432)).endPort().endSpec().build()).create();

            await("the throw-away pod answers").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> count(cluster) >= 0);
            assertThat(count(cluster)).isEqualTo(42);
            assertThat(cluster.count("t")).isEqualTo(50);
        }
    }

    private static long count(DemoCluster cluster) throws Exception {
        int port = cluster.sandbox.servicePort(DemoCluster.NS, "checker").orElseThrow();
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
