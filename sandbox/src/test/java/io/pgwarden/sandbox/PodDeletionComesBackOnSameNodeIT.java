package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scenario 1, pod failure: delete pg-rook-sf-0; it comes back on the same node with a new IP, data intact. */
class PodDeletionComesBackOnSameNodeIT {

    @Test
    void deletedPodComesBackOnItsNodeWithItsData() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");

            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).delete();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Pod p = cluster.pod();
                return p != null && !p.getMetadata().getUid().equals(before.getMetadata().getUid());
            });
            Pod after = cluster.awaitReady();

            assertThat(after.getSpec().getNodeName()).isEqualTo(before.getSpec().getNodeName());
            assertThat(after.getStatus().getPodIP()).isNotEqualTo(before.getStatus().getPodIP());
            assertThat(cluster.count("t")).isEqualTo(100);
            assertThat(cluster.writers()).extracting(w -> w.podUid())
                    .contains(before.getMetadata().getUid(), after.getMetadata().getUid());
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }
}
