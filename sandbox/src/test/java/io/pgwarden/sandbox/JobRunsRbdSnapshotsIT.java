package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore by rbd rollback, run as a Rook toolbox Job: rbd snap create and ls on the detached image, more rows,
 * a rollback while the image is attached fails with EBUSY, the rollback once detached brings back the snapshot's rows.
 */
class JobRunsRbdSnapshotsIT {
    private static final String CLAIM = "data-" + DemoDatabase.NAME + "-0";

    @Test
    void rollbackOfADetachedImageBringsBackTheSnapshotsRows() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod pod = cluster.awaitReady();
            cluster.sql("CREATE TABLE t(i int); INSERT INTO t SELECT generate_series(1, 100)");
            String pv = cluster.client.persistentVolumeClaims().inNamespace(DemoCluster.NS).withName(CLAIM).get()
                    .getSpec().getVolumeName();
            String image = StorageNames.POOL + "/" + cluster.client.persistentVolumes().withName(pv).get().getSpec()
                    .getCsi().getVolumeAttributes().get("imageName");

            scaleToZeroAndDetach(cluster);
            Job snap = runJob(cluster, "snap", "rbd snap create " + image + "@before && rbd snap ls " + image);
            assertThat(condition(snap)).isEqualTo("Complete");
            assertThat(log(cluster, snap)).contains("SNAPID").contains("before");

            cluster.scale(1);
            pod = cluster.awaitReplacementReady(pod, Duration.ofSeconds(60));
            cluster.sql("INSERT INTO t SELECT generate_series(101, 150)");
            Job refused = runJob(cluster, "rollback-attached", "rbd snap rollback " + image + "@before");
            assertThat(condition(refused)).isEqualTo("Failed");
            assertThat(log(cluster, refused)).contains("rbd: rollback failed: (16) Device or resource busy");
            assertThat(cluster.count("t")).isEqualTo(150);

            scaleToZeroAndDetach(cluster);
            assertThat(condition(runJob(cluster, "rollback", "rbd snap rollback " + image + "@before"))).isEqualTo("Complete");
            cluster.scale(1);
            cluster.awaitReplacementReady(pod, Duration.ofSeconds(60));
            assertThat(cluster.count("t")).isEqualTo(100);
        }
    }

    private static void scaleToZeroAndDetach(DemoCluster cluster) {
        cluster.scale(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.pod() == null
                && cluster.client.storage().v1().volumeAttachments().list().getItems().isEmpty());
    }

    /** A Rook toolbox Job (image rook/ceph, bash -c script) with backoffLimit 0; waits until it finished. */
    private static Job runJob(DemoCluster cluster, String name, String script) {
        cluster.client.batch().v1().jobs().inNamespace(DemoCluster.NS).resource(new JobBuilder().withNewMetadata()
                .withName(name).withNamespace(DemoCluster.NS).endMetadata().withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewSpec().addNewContainer().withName("script").withImage("rook/ceph:v1.15.5")
                .withCommand("bash", "-c", script).endContainer().withRestartPolicy("Never").endSpec().endTemplate()
                .endSpec().build()).create();
        await(name + " finished").atMost(Duration.ofSeconds(60)).until(() -> condition(job(cluster, name)) != null);
        return job(cluster, name);
    }

    private static Job job(DemoCluster cluster, String name) {
        return cluster.client.batch().v1().jobs().inNamespace(DemoCluster.NS).withName(name).get();
    }

    private static String condition(Job job) {
        return job.getStatus() == null || job.getStatus().getConditions() == null ? null : job.getStatus().getConditions()
                .stream().filter(c -> "True".equals(c.getStatus())).map(c -> c.getType()).findFirst().orElse(null);
    }

    /** The output of the Job's pod, from the node's log directory. */
    private static String log(DemoCluster cluster, Job job) throws Exception {
        Pod pod = cluster.client.pods().inNamespace(DemoCluster.NS).withLabel("job-name", job.getMetadata().getName())
                .list().getItems().get(0);
        return Files.readString(cluster.dataDir.resolve("logs").resolve(pod.getSpec().getNodeName())
                .resolve(pod.getMetadata().getName() + ".log"));
    }
}
