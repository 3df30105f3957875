package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A power cut loses what the node's page cache held and no fsync covered; a crash of the process alone does not.
 * lo_export writes a file without fsync; committed rows, whose WAL was fsynced, survive both.
 */
class PowerLossLosesUnsyncedWritesIT {

    @Test
    void aCrashKeepsUnsyncedWritesAPowerCutLosesThemCommittedRowsSurviveBoth() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod pod = cluster.awaitReady();
            String node = pod.getSpec().getNodeName();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");
            export(cluster, "before the crash", "crash.txt");

            cluster.sandbox.faults().killPod(DemoCluster.NS, DemoCluster.POD);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.pod().getStatus().getContainerStatuses().get(0)
                    .getRestartCount() == 1 && DemoCluster.isReady(cluster.pod()));
            cluster.awaitReady();
            assertThat(read(cluster, "crash.txt")).isEqualTo("before the crash");

            export(cluster, "before the power cut", "power.txt");
            cluster.sandbox.faults().powerOff(node);
            cluster.sandbox.faults().powerOn(node);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.writers().stream()
                    .filter(w -> w.end().isEmpty()).count() == 1);
            cluster.awaitReady();
            assertThat(read(cluster, "power.txt")).as("written, never fsynced").isEmpty();
            assertThat(read(cluster, "crash.txt")).as("fsynced by nothing either, but long written back")
                    .isEqualTo("before the crash");
            assertThat(cluster.count("t")).isEqualTo(100);
        }
    }

    /** A large object exported to a file in the data directory: written (write(2)), never fsynced. */
    private static void export(DemoCluster cluster, String text, String file) throws Exception {
        long oid = 40_000 + Math.abs(file.hashCode() % 10_000);
        cluster.sql("SELECT lo_from_bytea(" + oid + ", convert_to('" + text + "', 'UTF8'))");
        cluster.sql("SELECT lo_export(" + oid + ", current_setting('data_directory') || '/" + file + "')");
    }

    private static String read(DemoCluster cluster, String file) throws Exception {
        try (Connection c = cluster.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_read_file('" + file + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
