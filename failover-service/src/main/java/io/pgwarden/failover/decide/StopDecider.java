package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.failover.decide.PlannedView.StatefulSetSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A planned outage, as {@code kubectl scale --replicas=0} with a record: stopping ({@code pgwarden.io/stopped-replicas}
 * = the replica count and {@code pgwarden.io/stopped-on} = the node it ran on, then spec.replicas 0 through the scale
 * subresource) → waiting until the pod is gone and every VolumeAttachment of its claims too → stopped. Failover
 * leaves a database stopped this way alone, and says so, when the node it ran on dies.
 */
public final class StopDecider {
    public static final String STOPPING = "stopping";
    public static final String STOPPED = "stopped";

    private StopDecider() {
    }

    public static Decision<PlannedAction> decide(Operation op, StopDatabase command, PlannedView view, Instant now,
                                                 PlannedSettings settings) {
        Turn turn = new Turn(op, command, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.start();
            case STOPPING -> turn.stopping();
            case STOPPED -> turn.end();
            default -> Decision.fail("unknown phase " + op.phase() + " of a stop");
        };
    }

    private static final class Turn extends PlannedTurn {
        private final StopDatabase command;

        Turn(Operation op, StopDatabase command, PlannedView view, Instant now, PlannedSettings settings) {
            super(op, command.namespace(), command.cluster(), view, now, settings);
            this.command = command;
        }

        Decision<PlannedAction> start() {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject("Stop", unusable.get());
            }
            StatefulSetSeen sts = statefulSet();
            if (sts.replicas() == 0) {
                return reject("Stop", key + " is stopped already" + sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION)
                        .map(r -> " (by pgwarden; start brings back " + r + " replica)").orElse(" (replicas 0)"));
            }
            if (sts.replicas() != 1) {
                return reject("Stop", key + " has replicas " + sts.replicas() + ", not 1: pgwarden stops only a"
                        + " single-primary StatefulSet (replicas 1)");
            }
            String node = view.pod().map(PodSeen::node).orElse(null);
            String plan = "stop " + key + ": record " + Names.STOPPED_REPLICAS_ANNOTATION + "=" + sts.replicas()
                    + (node == null ? "" : " and " + Names.STOPPED_ON_ANNOTATION + "=" + node)
                    + " on the StatefulSet, scale it to 0, wait until pod " + podName() + " is gone and its volumes"
                    + " are detached (up to " + settings.stopTimeout() + ")";
            if (command.dryRun()) {
                return dryRun("Stop", plan);
            }
            return enter(STOPPING, "StopStopping", "stopping " + key
                    + (node == null ? "" : " on node " + node), stopActions(sts.replicas(), node, plan));
        }

        private List<PlannedAction> stopActions(int replicas, String node, String plan) {
            data.put("replicas", String.valueOf(replicas));
            if (node != null) {
                data.put("node", node);
            }
            Map<String, String> record = new HashMap<>();
            record.put(Names.STOPPED_REPLICAS_ANNOTATION, String.valueOf(replicas));
            record.put(Names.STOPPED_ON_ANNOTATION, node);
            return List.of(new PlannedAction.Annotate(namespace, name, record),
                    new PlannedAction.Scale(namespace, name, 0), announce("Stopping", "pgwarden: " + plan, false));
        }

        Decision<PlannedAction> stopping() {
            if (view.statefulSet().isEmpty()) {
                return fail("Stop", "StatefulSet " + key + " was deleted while it was being stopped");
            }
            StatefulSetSeen sts = statefulSet();
            if (sts.replicas() != 0 || sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION).isEmpty()) {
                return waiting("scaling " + key + " to 0", stopActions(
                        Integer.parseInt(data.getOrDefault("replicas", "1")), data.get("node"), "stop " + key));
            }
            String waitingFor = view.pod().isPresent() ? "pod " + podName() + " to stop"
                    + Optional.ofNullable(view.pod().get().node()).map(n -> " on node " + n).orElse("")
                    : view.attachments().isEmpty() ? null : view.attachments().size() + " volume attachments of "
                    + key + " to go (" + String.join(", ", view.attachments()) + ")";
            if (waitingFor == null) {
                String outcome = "stopped " + key + " in " + millisSinceRequest() + " ms: pod gone, volumes detached;"
                        + " start brings back " + data.getOrDefault("replicas", "1") + " replica";
                return finishing(STOPPED, "DatabaseStopped", outcome, false, List.of(announce("Stopped", outcome,
                        false)));
            }
            if (past(entered(STOPPING), settings.stopTimeout())) {
                return fail("Stop", key + " not stopped within " + settings.stopTimeout() + ": still waiting for "
                        + waitingFor + "; it stays scaled to 0, and start brings it back");
            }
            return waiting("waiting for " + waitingFor + lasting(entered(STOPPING)));
        }
    }
}
