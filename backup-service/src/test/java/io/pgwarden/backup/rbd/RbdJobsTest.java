package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.pgwarden.backup.rbd.RbdJobState.Phase.ABSENT;
import static io.pgwarden.backup.rbd.RbdJobState.Phase.FAILED;
import static io.pgwarden.backup.rbd.RbdJobState.Phase.RUNNING;
import static io.pgwarden.backup.rbd.RbdJobState.Phase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

class RbdJobsTest {
    static final RbdConfig CONFIG = new RbdConfig() {
        public String toolboxImage() {
            return "docker.io/rook/ceph:v1.20.6";
        }

        public String namespace() {
            return "rook-ceph";
        }

        public String clusterId() {
            return "rook-ceph";
        }

        public String monEndpointsConfigMap() {
            return "rook-ceph-mon-endpoints";
        }

        public String adminSecret() {
            return "rook-ceph-mon";
        }

        public Duration deadline() {
            return Duration.ofMinutes(30);
        }

        public Duration keepFinished() {
            return Duration.ofHours(1);
        }
    };
    static final RbdImage IMAGE = new RbdImage("replicapool", "", "csi-vol-0a1b");
    static final String BACKUP = "pg-a-20261127-120000";
    static final Instant BEGAN = Instant.parse("2026-11-27T12:00:00.700Z");

    @Test
    void aStepIsAToolboxJobLikeRooksOwnRunOnceWithADeadline() {
        Job job = RbdJobs.job(RbdStep.takeSnapshot(BACKUP, "data", IMAGE, BEGAN), CONFIG);

        assertThat(job.getMetadata().getName()).isEqualTo("rbd-pg-a-20261127-120000-snap-data");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("rook-ceph");
        assertThat(job.getMetadata().getLabels()).containsEntry("pgwarden.io/backup", BACKUP);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("pgwarden.io/backup", BACKUP);
        assertThat(job.getMetadata().getAnnotations()).containsEntry("pgwarden.io/rbd-action", "create")
                .containsEntry("pgwarden.io/rbd-snapshot", "replicapool/csi-vol-0a1b@pg-a-20261127-120000-data")
                .containsEntry("pgwarden.io/rbd-not-before", "2026-11-27T12:00:00.700Z");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getImage()).isEqualTo("docker.io/rook/ceph:v1.20.6");
            assertThat(init.getCommand()).containsExactly("/usr/local/bin/toolbox.sh");
            assertThat(init.getArgs()).containsExactly("--skip-watch");
            assertThat(init.getEnv().get(0).getValueFrom().getSecretKeyRef().getName()).isEqualTo("rook-ceph-mon");
        });
        var rbd = pod.getContainers().get(0);
        assertThat(rbd.getCommand()).startsWith("bash", "-c");
        assertThat(rbd.getCommand().get(2)).startsWith(
                "rbd snap create --no-progress 'replicapool/csi-vol-0a1b@pg-a-20261127-120000-data'");
        assertThat(rbd.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(rbd.getEnv()).anyMatch(e -> e.getName().equals("TZ") && e.getValue().equals("UTC"));
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactlyInAnyOrder("ceph-admin-secret",
                "mon-endpoint-volume", "ceph-config");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getConfigMap() != null).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("rook-ceph-mon-endpoints"));
    }

    @Test
    void theScriptsRunOneRbdCommandAndACreateShowsATakenNamesRow() {
        assertThat(RbdJobs.script(RbdStep.rollBack("r-1", BACKUP, "data", IMAGE)))
                .isEqualTo("rbd snap rollback --no-progress 'replicapool/csi-vol-0a1b@pg-a-20261127-120000-data'");
        assertThat(RbdJobs.script(RbdStep.removeSafetySnapshot("r-1", BACKUP, "data", IMAGE)))
                .isEqualTo("rbd snap rm --no-progress 'replicapool/csi-vol-0a1b@pgwarden-before-restore-r-1'");
        assertThat(RbdJobs.script(RbdStep.takeSafetySnapshot("r-1", BACKUP, "data", IMAGE, BEGAN)))
                .isEqualTo("rbd snap create --no-progress 'replicapool/csi-vol-0a1b@pgwarden-before-restore-r-1'"
                        + " || { rc=$?; if [ \"$rc\" -eq 17 ]; then rbd snap ls 'replicapool/csi-vol-0a1b'"
                        + " | awk -v s='pgwarden-before-restore-r-1' '$2 == s'; fi; exit \"$rc\"; }");
    }

    @Test
    void aJobThatIsGoneIsAbsentAndOneWithoutAnEndIsRunning() {
        RbdStep step = RbdStep.takeSnapshot(BACKUP, "data", IMAGE, BEGAN);
        assertThat(RbdJobs.state("x", null, null).phase()).isEqualTo(ABSENT);

        RbdJobState pulling = RbdJobs.state(step.jobName(), job(step, null, null), waiting("ImagePullBackOff"));
        assertThat(pulling.phase()).isEqualTo(RUNNING);
        assertThat(pulling.reason()).endsWith("(ImagePullBackOff)");
        assertThat(pulling.finished()).isFalse();
    }

    @Test
    void aCompleteJobSucceeded() {
        RbdStep step = RbdStep.rollBack("r-1", BACKUP, "data", IMAGE);
        RbdJobState state = RbdJobs.state(step.jobName(), job(step, "Complete", null), exited(0, null));

        assertThat(state.phase()).isEqualTo(SUCCEEDED);
        assertThat(state.reason()).isEqualTo("rbd snap rollback replicapool/csi-vol-0a1b@pg-a-20261127-120000-data: done");
    }

    @Test
    void aFailedJobCarriesRbdsErrorLine() {
        RbdStep step = RbdStep.rollBack("r-1", BACKUP, "data", IMAGE);
        RbdJobState state = RbdJobs.state(step.jobName(), job(step, "Failed", "BackoffLimitExceeded"),
                exited(16, "rbd: rollback failed: (16) Device or resource busy\n"));

        assertThat(state.phase()).isEqualTo(FAILED);
        assertThat(state.reason()).isEqualTo("rbd snap rollback replicapool/csi-vol-0a1b@pg-a-20261127-120000-data"
                + " failed with exit code 16: rbd: rollback failed: (16) Device or resource busy");
    }

    @Test
    void aJobPastItsDeadlineFailsWithTheJobsReason() {
        RbdStep step = RbdStep.rollBack("r-1", BACKUP, "data", IMAGE);
        RbdJobState state = RbdJobs.state(step.jobName(), job(step, "Failed", "DeadlineExceeded"), null);

        assertThat(state.phase()).isEqualTo(FAILED);
        assertThat(state.reason()).contains("failed: Job rbd-r-1-rollback-data DeadlineExceeded");
    }

    @Test
    void aSnapshotThatExistsIsDoneOnlyIfItWasMadeSinceTheStepBegan() {
        RbdStep step = RbdStep.takeSnapshot(BACKUP, "data", IMAGE, BEGAN);
        String exists = "rbd: failed to create snapshot: (17) File exists\n";

        RbdJobState ours = RbdJobs.state(step.jobName(), job(step, "Failed", "BackoffLimitExceeded"), exited(17,
                exists + "     4  pg-a-20261127-120000-data  1 GiB             Fri Nov 27 12:00:00 2026\n"));
        assertThat(ours.phase()).isEqualTo(SUCCEEDED);
        assertThat(ours.reason()).contains("already made at 2026-11-27T12:00:00Z by an earlier run of this step");

        RbdJobState older = RbdJobs.state(step.jobName(), job(step, "Failed", "BackoffLimitExceeded"), exited(17,
                exists + "     4  pg-a-20261127-120000-data  1 GiB  yes  Thu Nov 26 23:59:59 2026\n"));
        assertThat(older.phase()).isEqualTo(FAILED);
        assertThat(older.reason()).contains("exists from 2026-11-26T23:59:59Z, before this step began").contains(
                "not this backup's");

        RbdJobState unknown = RbdJobs.state(step.jobName(), job(step, "Failed", "BackoffLimitExceeded"), exited(17, exists));
        assertThat(unknown.phase()).isEqualTo(FAILED);
        assertThat(unknown.reason()).contains("its creation time is not in the Job's output");
    }

    @Test
    void aRemoveOfASnapshotThatIsGoneIsDone() {
        RbdStep step = RbdStep.removeSnapshot(BACKUP, "data", IMAGE);
        RbdJobState state = RbdJobs.state(step.jobName(), job(step, "Failed", "BackoffLimitExceeded"),
                exited(2, "rbd: failed to remove snapshot: (2) No such file or directory\n"));

        assertThat(state.phase()).isEqualTo(SUCCEEDED);
        assertThat(state.reason()).endsWith("already gone (rbd: failed to remove snapshot: (2) No such file or directory)");
        RbdStep rollback = RbdStep.rollBack("r-1", BACKUP, "data", IMAGE);
        assertThat(RbdJobs.state(rollback.jobName(), job(rollback, "Failed", "BackoffLimitExceeded"),
                exited(2, "rbd: rollback failed: (2) No such file or directory\n")).phase()).isEqualTo(FAILED);
    }

    private static Job job(RbdStep step, String condition, String reason) {
        Job job = new JobBuilder(RbdJobs.job(step, CONFIG)).withNewStatus().endStatus().build();
        if (condition != null) {
            job.getStatus().getConditions().add(new JobConditionBuilder().withType(condition).withStatus("True")
                    .withReason(reason).build());
        }
        return job;
    }

    private static ContainerStatus waiting(String reason) {
        return new ContainerStatusBuilder().withName("rbd").withNewState().withNewWaiting().withReason(reason)
                .endWaiting().endState().build();
    }

    private static ContainerStatus exited(int code, String message) {
        return new ContainerStatusBuilder().withName("rbd").withNewState().withNewTerminated().withExitCode(code)
                .withMessage(message).endTerminated().endState().build();
    }
}
