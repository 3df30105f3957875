package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * kube-controller-manager's Job controller (batch/v1, pkg/controller/job) for Jobs of one completion and
 * parallelism one: it creates the pod {@code <job>-<random>} from the template (labels job-name and controller-uid,
 * owned by the Job), counts succeeded and failed pods, applies backoffLimit (default 6) with the pod failure
 * back-off and activeDeadlineSeconds ({@link JobRules}), and ends with condition Complete or Failed. The
 * TTL-after-finished controller deletes a finished Job after ttlSecondsAfterFinished, and the garbage collector its
 * pods (background cascade).
 */
public final class JobController {
    static final String JOB_NAME = "batch.kubernetes.io/job-name";
    static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";

    private final KubernetesClient client;
    private final Clock clock;
    private final SandboxConfig config;
    private final Timeline timeline;

    public JobController(KubernetesClient client, Clock clock, SandboxConfig config, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.config = config;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        List<Job> jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems();
        for (Job job : jobs) {
            List<Pod> pods = view.pods().stream().filter(p -> ownedBy(p, job.getMetadata().getUid())).toList();
            if (finished(job)) {
                expire(job);
            } else if (job.getMetadata().getDeletionTimestamp() == null) {
                sync(job, pods);
            }
        }
        collectOrphans(view, jobs.stream().map(j -> j.getMetadata().getUid()).collect(Collectors.toSet()));
    }

    private void sync(Job job, List<Pod> pods) {
        Instant now = clock.instant();
        String ns = job.getMetadata().getNamespace();
        Instant startTime = job.getStatus() == null || job.getStatus().getStartTime() == null ? now
                : Instant.parse(job.getStatus().getStartTime());
        List<Pod> active = pods.stream().filter(p -> !PodPhases.isTerminal(p) && !ClusterView.isTerminating(p)).toList();
        List<Pod> failedPods = pods.stream().filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())).toList();
        int succeeded = (int) pods.stream().filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase())).count();
        int activeRestarts = active.stream().filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream()).mapToInt(c -> c.getRestartCount()).sum();
        Instant lastFailure = failedPods.stream().map(JobController::finishedAt).filter(Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        var spec = job.getSpec();
        Duration deadline = spec.getActiveDeadlineSeconds() == null ? null
                : config.scaled(Duration.ofSeconds(spec.getActiveDeadlineSeconds()));
        JobRules.Decision decision = JobRules.decide(Objects.requireNonNullElse(spec.getCompletions(), 1),
                Objects.requireNonNullElse(spec.getBackoffLimit(), JobRules.DEFAULT_BACKOFF_LIMIT), deadline, startTime,
                now, succeeded, failedPods.size(), active.size(), activeRestarts, lastFailure,
                config.scaled(config.timings().jobPodFailureBackOff()),
                config.scaled(config.timings().maxJobPodFailureBackOff()));
        int activeCount = active.size();
        JobCondition condition = null;
        if (decision instanceof JobRules.Complete) {
            condition = condition("Complete", null, null, now);
        } else if (decision instanceof JobRules.Fail f) {
            active.forEach(p -> client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete());
            activeCount = 0;
            condition = condition("Failed", f.reason(), f.message(), now);
        } else if (decision instanceof JobRules.CreatePod) {
            createPod(job);
            activeCount = 1;
        }
        JobCondition ending = condition;
        int activeNow = activeCount;
        var current = job.getStatus();
        boolean changed = current == null || current.getStartTime() == null || ending != null
                || !Objects.equals(current.getActive(), activeNow) || !Objects.equals(current.getFailed(), failedPods.size())
                || !Objects.equals(current.getSucceeded(), succeeded);
        if (!changed) {
            return;
        }
        client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).editStatus(j -> {
            var status = j.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : j.getStatus();
            status.setStartTime(startTime.toString());
            status.setActive(activeNow);
            status.setSucceeded(succeeded);
            status.setFailed(failedPods.size());
            if (ending != null) {
                status.getConditions().add(ending);
                if ("Complete".equals(ending.getType())) {
                    status.setCompletionTime(now.toString());
                }
            }
            j.setStatus(status);
            return j;
        });
        if (ending != null) {
            timeline.record("job", ns + "/" + job.getMetadata().getName(), ending.getType()
                    + (ending.getReason() == null ? "" : " (" + ending.getReason() + ")"));
        }
    }

    private void createPod(Job job) {
        var template = job.getSpec().getTemplate();
        String name = job.getMetadata().getName() + "-" + suffix();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.putAll(Map.of(JOB_NAME, job.getMetadata().getName(), "job-name", job.getMetadata().getName(),
                CONTROLLER_UID, job.getMetadata().getUid(), "controller-uid", job.getMetadata().getUid()));
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1")
                        .withKind("Job").withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata().withSpec(template.getSpec()).build();
        client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
        timeline.record("pod", job.getMetadata().getNamespace() + "/" + name, "Created by job " + job.getMetadata().getName());
    }

    /** The TTL-after-finished controller: a finished Job goes ttlSecondsAfterFinished after it finished. */
    private void expire(Job job) {
        Long ttl = job.getSpec().getTtlSecondsAfterFinished() == null ? null
                : job.getSpec().getTtlSecondsAfterFinished().longValue();
        if (ttl == null || job.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Instant finishedAt = job.getStatus().getConditions().stream().filter(JobController::isFinishing)
                .map(c -> Instant.parse(c.getLastTransitionTime())).findFirst().orElse(clock.instant());
        if (!clock.instant().isBefore(finishedAt.plus(config.scaled(Duration.ofSeconds(ttl))))) {
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                    .delete();
            timeline.record("job", job.getMetadata().getNamespace() + "/" + job.getMetadata().getName(),
                    "Deleted (ttlSecondsAfterFinished)");
        }
    }

    /** The garbage collector's background cascade for Job pods: a pod whose Job (by uid) is gone is deleted. */
    private void collectOrphans(ClusterView view, Set<String> jobUids) {
        for (Pod pod : view.pods()) {
            boolean orphan = pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences()
                    .stream().anyMatch(o -> "Job".equals(o.getKind()) && !jobUids.contains(o.getUid()));
            if (orphan && !ClusterView.isTerminating(pod)) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
            }
        }
    }

    static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream().anyMatch(JobController::isFinishing);
    }

    private static boolean isFinishing(JobCondition c) {
        return ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus());
    }

    private static boolean ownedBy(Pod pod, String uid) {
        return pod.getMetadata().getOwnerReferences() != null
                && pod.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()));
    }

    private static Instant finishedAt(Pod pod) {
        var statuses = pod.getStatus().getContainerStatuses();
        if (statuses == null || statuses.isEmpty() || statuses.get(0).getState() == null
                || statuses.get(0).getState().getTerminated() == null) {
            return null;
        }
        return Instant.parse(statuses.get(0).getState().getTerminated().getFinishedAt());
    }

    private static JobCondition condition(String type, String reason, String message, Instant now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(now.toString()).withLastTransitionTime(now.toString()).build();
    }

    /** The 5 random characters of a generated name (apiserver's names.SimpleNameGenerator alphabet). */
    private static String suffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
