package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 1, pod failure: delete pg-rook-sf-0; the StatefulSet's replacement comes back Ready with its data. Where it
 * lands is the scheduler's choice: nothing in Kubernetes brings it back to its node (no plugin scores where a
 * ReadWriteOnce volume is attached, ImageLocality gives the sandbox's image nothing, ties are broken at random), so
 * the test only asserts what Kubernetes guarantees: a new pod object, the rows, and never two writers of the volume
 * (on another node the replacement waits until the volume is detached from the old one).
 */
class PodDeletionComesBackWithItsDataIT {

    @Test
    void deletedPodComesBackWithItsData() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");

            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).delete();
            cluster.awaitReplacementReady(before, Duration.ofSeconds(60));

            assertThat(cluster.count("t")).isEqualTo(100);
            assertThat(cluster.sandbox.invariants().writers()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(cluster.sandbox.invariants().splitBrains()).isEmpty();
        }
    }
}
