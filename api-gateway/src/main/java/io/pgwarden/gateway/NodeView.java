package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A node as node-watcher last reported it, with its open incident. */
@Schema(description = "A node as node-watcher last reported it (at observedAt), with its open incident if any")
public record NodeView(
        @Schema(description = "The node's name") String name,
        @Schema(description = "The node's Ready condition") NodeReadiness ready,
        @Schema(description = "The Ready condition's reason, if any") String readyReason,
        @Schema(description = "Whether node-watcher hears from the kubelet through its node Lease") NodeLiveness liveness,
        @Schema(description = "What node-watcher saw, in words") String livenessReason,
        @Schema(description = "The node Lease's last renewal node-watcher saw") Instant leaseRenewedAt,
        @Schema(description = "How long before observedAt the lease was last renewed, in milliseconds (not now:"
                + " add the time since observedAt)") Long leaseAgeMillis,
        @Schema(description = "The BMC's Redfish PowerState (On, Off, PoweringOn, PoweringOff); null when unknown")
        String powerState,
        @Schema(description = "Unschedulable (kubectl cordon)") boolean cordoned,
        @Schema(description = "Has the taint " + Names.TAINT_OUT_OF_SERVICE + ": fenced, its volumes released")
        boolean fenced,
        @Schema(description = "The node's taints as key[=value]:Effect") List<String> taints,
        @Schema(description = "The id of its open incident (GET /api/v1/incidents/{id}); null when it has none, or"
                + " when incidentsUnavailable says failover-service could not tell") String incident,
        @Schema(description = "When node-watcher read all of this: how fresh it is") Instant observedAt,
        @Schema(description = "node-watcher's sequence number of this reading") long sequence) {

    public static NodeView of(NodeHealthChanged health, String incident) {
        boolean fenced = health.taints().stream().anyMatch(t -> taintKey(t).equals(Names.TAINT_OUT_OF_SERVICE));
        return new NodeView(health.node(), health.readiness(), health.readyReason(), health.liveness(),
                health.livenessReason(), health.leaseRenewedAt(), health.leaseAgeMillis(), health.powerState(),
                health.unschedulable(), fenced, health.taints(), incident, health.observedAt(), health.sequence());
    }

    /** {@code key[=value]:Effect} → {@code key}. */
    static String taintKey(String taint) {
        int end = taint.length();
        for (char c : new char[]{'=', ':'}) {
            int i = taint.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return taint.substring(0, end);
    }
}
