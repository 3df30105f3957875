package io.pgwarden.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * A managed database as failover-service serves it. Read tolerantly, as {@link IncidentView} is: a field
 * failover-service adds later is ignored here rather than failing every read.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(description = "A managed database (StatefulSet labelled pgwarden.io/managed=true): its pod, the operation"
        + " holding its lock, its last incident")
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

    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(description = "The operation holding a database's lock; GET /api/v1/commands/{id} follows a command")
    public record LockHolder(
            @Schema(description = "Its kind: the command's name (MoveDatabase, TakeBackup, ...) or NodeIncident")
            String kind,
            @Schema(description = "Its id: the command id, or the incident id") String id,
            @Schema(description = "The service that runs it") String service,
            @Schema(description = "When it took the lock") Instant since,
            @Schema(description = "When it last renewed the lock") Instant renewedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @Schema(description = "A node incident, in short; GET /api/v1/incidents/{id} has its timeline")
    public record LastIncident(
            @Schema(description = "The incident id") String id,
            @Schema(description = "The node it is about") String node,
            @Schema(description = "open, recovered, aborted or failed") String state,
            @Schema(description = "The phase it is in or ended in") String phase,
            @Schema(description = "When it began") Instant startedAt,
            @Schema(description = "When it ended; null while open") Instant endedAt) {
    }
}
