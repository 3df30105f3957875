package io.pgwarden.failover.api;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.pgwarden.contracts.Names;
import io.pgwarden.operations.engine.KubernetesDatabaseLocks;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * A managed database (a StatefulSet labelled {@code pgwarden.io/managed=true}) as the API shows it: where it runs,
 * what holds its lock, its last incident, and how fresh the view is. {@link #of} is the whole mapping, without I/O.
 */
@Schema(description = "A managed database: its StatefulSet, its pod, the operation holding its lock, its last"
        + " incident")
public record ClusterView(
        @Schema(description = "The StatefulSet's namespace") String namespace,
        @Schema(description = "The StatefulSet's name") String name,
        @Schema(description = "running, stopped, moving, failing over, restoring, starting, stopping or unavailable")
        String phase,
        @Schema(description = "Why it is stopped or unavailable, in words; null otherwise") String detail,
        @Schema(description = "The StatefulSet's spec.replicas") int replicas,
        @Schema(description = "The replica count a stop recorded (pgwarden.io/stopped-replicas), which start restores;"
                + " null unless stopped by pgwarden") Integer stoppedReplicas,
        @Schema(description = "Its pod, ordinal 0 (the primary of a single-replica StatefulSet); null when there is"
                + " none") String pod,
        @Schema(description = "The node the pod is bound to; null when none") String node,
        @Schema(description = "Whether the pod's Ready condition is True") boolean ready,
        @Schema(description = "The node its last move left (pgwarden.io/moved-from), which failback returns to; null"
                + " when none") String movedFrom,
        @Schema(description = "The operation holding its lock (Lease pgwarden-op-<name>); null when free")
        LockHolder operation,
        @Schema(description = "The newest node incident that failed it over or is failing it over; null when none")
        LastIncident lastIncident,
        @Schema(description = "How fresh this is: now while failover-service's watches of the Kubernetes API are"
                + " open, else the last moment they all were") Instant observedAt) {

    @Schema(description = "The operation holding a database's lock")
    public record LockHolder(
            @Schema(description = "Its kind: the command's name (MoveDatabase, TakeBackup, ...) or NodeIncident")
            String kind,
            @Schema(description = "Its id: the command id, or the incident id") String id,
            @Schema(description = "The service that runs it") String service,
            @Schema(description = "When it took the lock") Instant since,
            @Schema(description = "When it last renewed the lock") Instant renewedAt) {
    }

    @Schema(description = "A node incident, in short; GET /incidents/{id} has its timeline")
    public record LastIncident(
            @Schema(description = "The incident id") String id,
            @Schema(description = "The node it is about") String node,
            @Schema(description = "open, recovered, aborted or failed") String state,
            @Schema(description = "The phase it is in or ended in") String phase,
            @Schema(description = "When it began") Instant startedAt,
            @Schema(description = "When it ended; null while open") Instant endedAt) {
    }

    /**
     * @param pod          the StatefulSet's pod of ordinal 0, or null
     * @param lease        its lock's Lease, or null
     * @param lastIncident the newest incident whose databases include it, or null
     */
    public static ClusterView of(StatefulSet statefulSet, Pod pod, Lease lease, IncidentView.Row lastIncident,
                                 Instant observedAt) {
        String namespace = statefulSet.getMetadata().getNamespace();
        String name = statefulSet.getMetadata().getName();
        Map<String, String> annotations = statefulSet.getMetadata().getAnnotations() == null ? Map.of()
                : statefulSet.getMetadata().getAnnotations();
        Integer specReplicas = statefulSet.getSpec() == null ? null : statefulSet.getSpec().getReplicas();
        // An unset spec.replicas is 1, as the API server defaults it.
        int replicas = specReplicas == null ? 1 : specReplicas;
        Integer stoppedReplicas = replicas == 0 ? count(annotations.get(Names.STOPPED_REPLICAS_ANNOTATION)) : null;
        LockHolder holder = holder(lease);
        LastIncident incident = lastIncident == null ? null : incident(lastIncident, observedAt);
        boolean ready = pod != null && isReady(pod);
        boolean terminating = pod != null && pod.getMetadata().getDeletionTimestamp() != null;

        ClusterPhase phase;
        String detail = null;
        if (holder != null && ClusterPhase.ofOperationKind(holder.kind()).isPresent()) {
            phase = ClusterPhase.ofOperationKind(holder.kind()).get();
        } else if (incident != null && IncidentState.OPEN.word().equals(incident.state())) {
            // Listed by an open incident: its node was confirmed down, the lock comes at the release.
            phase = ClusterPhase.FAILING_OVER;
        } else if (stoppedReplicas != null) {
            phase = ClusterPhase.STOPPED;
            detail = "stopped by pgwarden (planned outage); start scales it back to " + stoppedReplicas
                    + (stoppedReplicas == 1 ? " replica" : " replicas");
        } else if (ready && !terminating) {
            phase = ClusterPhase.RUNNING;
        } else {
            phase = ClusterPhase.UNAVAILABLE;
            detail = unavailable(name, replicas, pod, terminating);
        }
        return new ClusterView(namespace, name, phase.word(), detail, replicas, stoppedReplicas,
                pod == null ? null : pod.getMetadata().getName(),
                pod == null || pod.getSpec() == null ? null : pod.getSpec().getNodeName(), ready,
                annotations.get(Names.MOVED_FROM_ANNOTATION), holder, incident, observedAt);
    }

    private static String unavailable(String name, int replicas, Pod pod, boolean terminating) {
        if (replicas == 0) {
            return "scaled to 0 replicas, not by pgwarden (no annotation " + Names.STOPPED_REPLICAS_ANNOTATION + ")";
        }
        if (pod == null) {
            return "no pod " + name + "-0";
        }
        String podName = pod.getMetadata().getName();
        if (terminating) {
            return "pod " + podName + " is terminating";
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String podPhase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "pod " + podName + " is not Ready" + (node == null ? ", not bound to a node" : " on node " + node)
                + (podPhase == null ? "" : " (" + podPhase + ")");
    }

    private static LockHolder holder(Lease lease) {
        if (lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                || lease.getSpec().getHolderIdentity().isEmpty()) {
            return null;
        }
        Map<String, String> a = lease.getMetadata().getAnnotations() == null ? Map.of()
                : lease.getMetadata().getAnnotations();
        return new LockHolder(a.get(KubernetesDatabaseLocks.KIND), lease.getSpec().getHolderIdentity(),
                a.get(KubernetesDatabaseLocks.SERVICE), instant(lease.getSpec().getAcquireTime()),
                instant(lease.getSpec().getRenewTime()));
    }

    private static LastIncident incident(IncidentView.Row row, Instant now) {
        IncidentView view = IncidentView.of(row, now);
        return new LastIncident(view.id(), view.node(), view.state(), view.phase(), view.startedAt(), view.endedAt());
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Integer count(String value) {
        try {
            return value == null ? null : Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(ZonedDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
