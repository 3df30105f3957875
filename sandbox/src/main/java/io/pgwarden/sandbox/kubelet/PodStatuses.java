package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The pod status a kubelet posts, and what of it a reader would notice changing. */
final class PodStatuses {
    private PodStatuses() {
    }

    static PodStatus waiting(Pod pod, String hostIp, String reason) {
        return new PodStatusBuilder(pod.getStatus() == null ? new PodStatus() : pod.getStatus())
                .withPhase("Pending").withHostIP(hostIp)
                .withConditions(condition("PodScheduled", true), condition("Ready", false))
                .withContainerStatuses(new ContainerStatusBuilder().withName(containerName(pod))
                        .withImage(image(pod)).withReady(false)
                        .withRestartCount(0).withNewState().withNewWaiting().withReason(reason).endWaiting()
                        .endState().build())
                .build();
    }

    static PodStatus running(Pod pod, String hostIp, String containerId, boolean up, boolean ready,
                             Instant startedAt, int restarts, String podIp, Instant now) {
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(containerName(pod))
                .withImage(image(pod)).withReady(ready).withStarted(up)
                .withRestartCount(restarts).withContainerID(containerId);
        if (up && startedAt != null) {
            status.withNewState().withNewRunning().withStartedAt(seconds(startedAt)).endRunning().endState();
        } else {
            status.withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState();
        }
        PodStatusBuilder builder = new PodStatusBuilder().withPhase(up ? "Running" : "Pending").withHostIP(hostIp)
                .withConditions(condition("PodScheduled", true), condition("Initialized", true),
                        condition("ContainersReady", ready), condition("Ready", ready))
                .withContainerStatuses(status.build());
        if (podIp != null) {
            builder.withPodIP(podIp).withPodIPs(new PodIP(podIp));
        }
        boolean started = pod.getStatus() != null && pod.getStatus().getStartTime() != null;
        return builder.withStartTime(started ? pod.getStatus().getStartTime() : seconds(now)).build();
    }

    /**
     * A pod whose container ended and will not restart (restartPolicy Never, or OnFailure after exit code 0):
     * Succeeded on exit code 0, else Failed; the container is terminated with reason Completed or Error, and the
     * termination message (null for none).
     */
    static PodStatus terminated(Pod pod, String hostIp, String containerId, int exitCode, Instant startedAt,
                                Instant finishedAt, int restarts, String message) {
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(containerName(pod))
                .withImage(image(pod)).withReady(false).withStarted(false).withRestartCount(restarts)
                .withContainerID(containerId).withNewState().withNewTerminated().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message).withContainerID(containerId)
                .withStartedAt(startedAt == null ? null : seconds(startedAt)).withFinishedAt(seconds(finishedAt))
                .endTerminated().endState();
        PodCondition ready = new PodConditionBuilder().withType("Ready").withStatus("False").withReason("PodCompleted").build();
        boolean started = pod.getStatus() != null && pod.getStatus().getStartTime() != null;
        return new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed").withHostIP(hostIp)
                .withConditions(condition("PodScheduled", true), condition("Initialized", true),
                        new PodConditionBuilder(ready).withType("ContainersReady").build(), ready)
                .withContainerStatuses(status.build())
                .withStartTime(started ? pod.getStatus().getStartTime() : seconds(finishedAt)).build();
    }

    /**
     * Whether the kubelet reads the termination message from the log: {@code terminationMessagePolicy:
     * FallbackToLogsOnError} and a non-zero exit (kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go). The
     * default policy (File) reads terminationMessagePath, which the sandbox does not model.
     */
    static boolean messageFromLog(Pod pod, int exitCode) {
        return exitCode != 0
                && "FallbackToLogsOnError".equals(pod.getSpec().getContainers().get(0).getTerminationMessagePolicy());
    }

    /** The log's last 80 lines, at most their last 2048 bytes (pkg/kubelet/container/runtime.go); null for none. */
    static String logTail(String log) {
        if (log.isEmpty()) {
            return null;
        }
        List<String> lines = log.lines().toList();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()))
                + (log.endsWith("\n") ? "\n" : "");
        byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 2048 ? tail : new String(bytes, bytes.length - 2048, 2048, StandardCharsets.UTF_8);
    }

    /** Phase, readiness, IP, restarts and the waiting reason: a status is posted only when one of them changes. */
    static String fingerprint(PodStatus status) {
        if (status == null) {
            return "";
        }
        boolean ready = status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        var containers = status.getContainerStatuses();
        int restarts = containers == null || containers.isEmpty() ? 0 : containers.get(0).getRestartCount();
        String waiting = containers == null || containers.isEmpty() || containers.get(0).getState() == null
                || containers.get(0).getState().getWaiting() == null ? ""
                : containers.get(0).getState().getWaiting().getReason();
        return status.getPhase() + (ready ? " Ready" : " NotReady") + " ip=" + status.getPodIP()
                + " restarts=" + restarts + (waiting.isEmpty() ? "" : " " + waiting);
    }

    /**
     * The status the kubelet stores: its own, plus the conditions other components own (DisruptionTarget, written
     * by an eviction or the taint manager), which the status manager keeps (mergePodStatus, kubernetes {@code
     * pkg/kubelet/status/status_manager.go}; the kubelet's own types in {@code pkg/kubelet/types/pod_status.go}).
     */
    static PodStatus merged(PodStatus stored, PodStatus kubelets) {
        List<PodCondition> kept = stored == null || stored.getConditions() == null ? List.of()
                : stored.getConditions().stream().filter(c -> !KUBELET_CONDITIONS.contains(c.getType())).toList();
        if (kept.isEmpty()) {
            return kubelets;
        }
        List<PodCondition> conditions = new ArrayList<>(kept);
        if (kubelets.getConditions() != null) {
            conditions.addAll(kubelets.getConditions());
        }
        return new PodStatusBuilder(kubelets).withConditions(conditions).build();
    }

    private static final Set<String> KUBELET_CONDITIONS = Set.of("PodScheduled", "Ready", "Initialized",
            "ContainersReady", "PodReadyToStartContainers");

    static String image(Pod pod) {
        return pod.getSpec().getContainers().get(0).getImage();
    }

    static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    static String seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String containerName(Pod pod) {
        return pod.getSpec().getContainers().get(0).getName();
    }

    private static PodCondition condition(String type, boolean status) {
        return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False").build();
    }
}
