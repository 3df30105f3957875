package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scenario 5, planned outage: scale to 0 and back to 1; the data is intact. */
class PlannedOutageKeepsDataIT {

    @Test
    void scaleToZeroAndBackKeepsTheRows() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 42)");

            cluster.scale(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.pod() == null);
            assertThat(cluster.client.apps().statefulSets().inNamespace(DemoCluster.NS).withName(DemoDatabase.NAME)
                    .get().getSpec().getReplicas()).isZero();

            cluster.scale(1);
            cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            assertThat(cluster.count("t")).isEqualTo(42);
        }
    }
}
