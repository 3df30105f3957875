package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.pgwarden.contracts.Names;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Jobs of the rbd driver, without I/O: the Job for a step, and what a Job's status and its pod's container say
 * became of it.
 */
public final class RbdJobs {
    static final String CONTAINER = "rbd";
    static final String ACTION_ANNOTATION = "pgwarden.io/rbd-action";
    static final String SNAPSHOT_ANNOTATION = "pgwarden.io/rbd-snapshot";
    static final String NOT_BEFORE_ANNOTATION = "pgwarden.io/rbd-not-before";
    static final String BACKUP_ID_ANNOTATION = "pgwarden.io/backup-id";

    /** rbd's exit code is the errno of its failure (ceph src/tools/rbd/Shell.cc). */
    static final int EEXIST = 17;
    static final int ENOENT = 2;

    /** ctime(3), as {@code rbd snap ls} prints TIMESTAMP; the Job runs with TZ=UTC. */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT);

    private RbdJobs() {
    }

    /**
     * The step as a Job like Rook's toolbox Job (rook {@code deploy/examples/toolbox-job.yaml}): an init container runs
     * {@code toolbox.sh --skip-watch}, which writes {@code /etc/ceph} from the mon endpoints ConfigMap and the admin
     * Secret, then the {@code rbd} container runs the command with {@code bash -c}. One pod, never retried (the
     * operation decides what a failure means), a deadline, and a failed container's output as its termination message
     * (FallbackToLogsOnError), so the Job's state carries rbd's error without reading logs.
     */
    public static Job job(RbdStep step, RbdConfig config) {
        Map<String, String> labels = Map.of(Names.BACKUP_ID_LABEL, RbdNames.labelValue(step.backupId()),
                "app.kubernetes.io/part-of", "pgwarden", "app.kubernetes.io/component", "rbd-snapshot");
        var cephConfig = new VolumeMountBuilder().withName("ceph-config").withMountPath("/etc/ceph").build();
        return new JobBuilder()
                .withNewMetadata().withName(step.jobName()).withNamespace(config.namespace()).withLabels(labels)
                .withAnnotations(annotations(step)).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(config.deadline().toSeconds())
                .withTtlSecondsAfterFinished(Math.toIntExact(config.keepFinished().toSeconds()))
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("config-init").withImage(config.toolboxImage())
                .withCommand("/usr/local/bin/toolbox.sh").withArgs("--skip-watch")
                .withEnv(new EnvVarBuilder().withName("ROOK_CEPH_USERNAME").withNewValueFrom().withNewSecretKeyRef()
                        .withName(config.adminSecret()).withKey("ceph-username").endSecretKeyRef().endValueFrom().build())
                .withVolumeMounts(cephConfig,
                        new VolumeMountBuilder().withName("mon-endpoint-volume").withMountPath("/etc/rook").build(),
                        new VolumeMountBuilder().withName("ceph-admin-secret").withMountPath("/var/lib/rook-ceph-mon")
                                .build())
                .endInitContainer()
                .addNewContainer().withName(CONTAINER).withImage(config.toolboxImage())
                .withCommand("bash", "-c", script(step))
                .withEnv(new EnvVarBuilder().withName("TZ").withValue("UTC").build())
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withVolumeMounts(new VolumeMountBuilder(cephConfig).withReadOnly(true).build())
                .endContainer()
                .withVolumes(new VolumeBuilder().withName("ceph-admin-secret").withNewSecret()
                                .withSecretName(config.adminSecret()).withOptional(false).addNewItem().withKey("ceph-secret")
                                .withPath("secret.keyring").endItem().endSecret().build(),
                        new VolumeBuilder().withName("mon-endpoint-volume").withNewConfigMap()
                                .withName(config.monEndpointsConfigMap()).addNewItem().withKey("data")
                                .withPath("mon-endpoints").endItem().endConfigMap().build(),
                        new VolumeBuilder().withName("ceph-config").withNewEmptyDir().endEmptyDir().build())
                .endSpec().endTemplate().endSpec().build();
    }

    private static Map<String, String> annotations(RbdStep step) {
        return step.notBefore() == null
                ? Map.of(ACTION_ANNOTATION, step.action().word(), SNAPSHOT_ANNOTATION, step.snapshotSpec(),
                BACKUP_ID_ANNOTATION, step.backupId())
                : Map.of(ACTION_ANNOTATION, step.action().word(), SNAPSHOT_ANNOTATION, step.snapshotSpec(),
                BACKUP_ID_ANNOTATION, step.backupId(), NOT_BEFORE_ANNOTATION, step.notBefore().toString());
    }

    /**
     * The command. A create that finds the name taken (EEXIST) prints that snapshot's {@code rbd snap ls} row, whose
     * creation time {@link #state} compares with the step's {@code notBefore}.
     */
    static String script(RbdStep step) {
        String snap = "rbd snap " + step.action().word() + " --no-progress " + quote(step.snapshotSpec());
        if (step.action() != RbdAction.CREATE) {
            return snap;
        }
        return snap + " || { rc=$?; if [ \"$rc\" -eq " + EEXIST + " ]; then rbd snap ls " + quote(step.image().spec())
                + " | awk -v s=" + quote(step.snapshot()) + " '$2 == s'; fi; exit \"$rc\"; }";
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * What became of the Job {@code name}: absent, running, succeeded or failed with rbd's error. Two failures are
     * the step done: a create that found its snapshot already made from {@code notBefore} on (an earlier run of this
     * step made it: the name is this backup's and nothing made it before the backup began), and a remove that found
     * the snapshot gone. {@code container} is the status of the Job's newest pod's rbd container (null if none).
     */
    public static RbdJobState state(String name, Job job, ContainerStatus container) {
        if (job == null) {
            return RbdJobState.absent(name);
        }
        Map<String, String> annotations = job.getMetadata().getAnnotations() == null ? Map.of()
                : job.getMetadata().getAnnotations();
        String command = "rbd snap " + annotations.get(ACTION_ANNOTATION) + " " + annotations.get(SNAPSHOT_ANNOTATION);
        Optional<JobCondition> end = finished(job);
        if (end.isEmpty()) {
            String waiting = container == null || container.getState() == null || container.getState().getWaiting() == null
                    ? "" : " (" + container.getState().getWaiting().getReason() + ")";
            return RbdJobState.running(name, command + " running in Job " + name + waiting);
        }
        if ("Complete".equals(end.get().getType())) {
            return RbdJobState.succeeded(name, command + ": done");
        }
        ContainerStateTerminated terminated = container == null || container.getState() == null ? null
                : container.getState().getTerminated();
        if (terminated == null || terminated.getExitCode() == null) {
            return RbdJobState.failed(name, command + " failed: Job " + name + " " + end.get().getReason()
                    + (end.get().getMessage() == null ? "" : ": " + end.get().getMessage()));
        }
        int exit = terminated.getExitCode();
        String output = terminated.getMessage() == null ? "" : terminated.getMessage();
        RbdAction action = RbdAction.ofWord(annotations.get(ACTION_ANNOTATION));
        if (action == RbdAction.CREATE && exit == EEXIST) {
            return existing(name, command, annotations, output);
        }
        if (action == RbdAction.REMOVE && exit == ENOENT) {
            return RbdJobState.succeeded(name, command + ": already gone (" + errors(output) + ")");
        }
        return RbdJobState.failed(name, command + " failed with exit code " + exit + ": " + errors(output));
    }

    private static RbdJobState existing(String name, String command, Map<String, String> annotations, String output) {
        String spec = annotations.get(SNAPSHOT_ANNOTATION);
        String snapshot = spec.substring(spec.indexOf('@') + 1);
        Instant notBefore = Instant.parse(annotations.get(NOT_BEFORE_ANNOTATION)).truncatedTo(ChronoUnit.SECONDS);
        Optional<Instant> created = createdAt(output, snapshot);
        if (created.isEmpty()) {
            return RbdJobState.failed(name, command + ": the snapshot exists, and its creation time is not in the"
                    + " Job's output (" + errors(output) + "); remove it if it is not this backup's");
        }
        if (created.get().isBefore(notBefore)) {
            return RbdJobState.failed(name, command + ": a snapshot of that name exists from " + created.get()
                    + ", before this step began (" + notBefore + "), so it is not this backup's; remove or rename it");
        }
        return RbdJobState.succeeded(name, command + ": already made at " + created.get() + " by an earlier run of"
                + " this step");
    }

    /** The creation time in {@code rbd snap ls}'s row of the snapshot: SNAPID NAME SIZE [PROTECTED] TIMESTAMP. */
    static Optional<Instant> createdAt(String output, String snapshot) {
        for (String line : output.lines().toList()) {
            List<String> words = Arrays.asList(line.trim().split("\\s+"));
            if (words.size() >= 7 && words.get(1).equals(snapshot) && words.get(0).chars().allMatch(Character::isDigit)) {
                try {
                    String ctime = String.join(" ", words.subList(words.size() - 5, words.size()));
                    return Optional.of(LocalDateTime.parse(ctime, CTIME).toInstant(ZoneOffset.UTC));
                } catch (DateTimeParseException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** rbd's error lines ({@code rbd: ...}), else the whole output. */
    private static String errors(String output) {
        List<String> errors = output.lines().filter(l -> l.startsWith("rbd:")).toList();
        String text = errors.isEmpty() ? output.strip() : String.join("; ", errors);
        return text.isEmpty() ? "no output" : text;
    }

    private static Optional<JobCondition> finished(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> "True".equals(c.getStatus()) && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())))
                .findFirst();
    }
}
