package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.StartDatabase;
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
 * The end of a planned outage: starting (spec.replicas back to the count {@code pgwarden.io/stopped-replicas}
 * recorded, 1 when none was) → waiting until the pod is Ready and the database accepts a write through its
 * Service → started (the stop's annotations removed).
 */
public final class StartDecider {
    public static final String STARTING = "starting";
    public static final String STARTED = "started";

    private StartDecider() {
    }

    public static Decision<PlannedAction> decide(Operation op, StartDatabase command, PlannedView view, Instant now,
                                                 PlannedSettings settings) {
        Turn turn = new Turn(op, command, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.start();
            case STARTING -> turn.starting();
            case STARTED -> turn.started();
            default -> Decision.fail("unknown phase " + op.phase() + " of a start");
        };
    }

    private static final class Turn extends PlannedTurn {
        private static final String REPLICAS = "replicas";
        private static final String READY_AT = "readyAt";
        private final StartDatabase command;

        Turn(Operation op, StartDatabase command, PlannedView view, Instant now, PlannedSettings settings) {
            super(op, command.namespace(), command.cluster(), view, now, settings);
            this.command = command;
        }

        Decision<PlannedAction> start() {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject("Start", unusable.get());
            }
            StatefulSetSeen sts = statefulSet();
            if (sts.replicas() > 0) {
                return reject("Start", key + " is running (replicas " + sts.replicas() + "): nothing to start");
            }
            Optional<String> recorded = sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION);
            int replicas;
            try {
                replicas = recorded.map(Integer::parseInt).orElse(1);
            } catch (NumberFormatException e) {
                return reject("Start", "StatefulSet " + key + " has " + Names.STOPPED_REPLICAS_ANNOTATION + "="
                        + recorded.get() + ", not a replica count: correct or remove it");
            }
            if (replicas != 1) {
                return reject("Start", "StatefulSet " + key + " recorded " + replicas + " replicas in "
                        + Names.STOPPED_REPLICAS_ANNOTATION + ": pgwarden starts only a single-primary StatefulSet"
                        + " (1); scale it yourself");
            }
            String plan = "start " + key + ": scale it to " + replicas + (recorded.isPresent()
                    ? " (recorded by its stop)" : " (no count recorded: it was not stopped by pgwarden)")
                    + ", wait until pod " + podName() + " is Ready (up to " + settings.readyTimeout()
                    + ") and accepts a write (up to " + settings.writeTimeout() + "), then remove "
                    + Names.STOPPED_REPLICAS_ANNOTATION;
            if (command.dryRun()) {
                return dryRun("Start", plan);
            }
            data.put(REPLICAS, String.valueOf(replicas));
            return enter(STARTING, "StartStarting", "scaling " + key + " to " + replicas, List.of(
                    new PlannedAction.Scale(namespace, name, replicas), announce("Starting", "pgwarden: " + plan,
                            false)));
        }

        Decision<PlannedAction> starting() {
            if (view.statefulSet().isEmpty()) {
                return fail("Start", "StatefulSet " + key + " was deleted while it was being started");
            }
            int replicas = Integer.parseInt(data.getOrDefault(REPLICAS, "1"));
            if (statefulSet().replicas() != replicas) {
                return waiting("scaling " + key + " to " + replicas,
                        List.of(new PlannedAction.Scale(namespace, name, replicas)));
            }
            Optional<PodSeen> pod = view.pod().filter(p -> !p.terminating());
            if (pod.isPresent() && pod.get().ready() && pod.get().node() != null) {
                String node = pod.get().node();
                Optional<String> problem = view.write().map(w -> w.problem()).orElse(Optional.of("not checked yet"));
                if (problem.isEmpty()) {
                    long ms = millisSinceRequest();
                    String outcome = "started " + key + " on node " + node + "; writes accepted " + ms
                            + " ms after the request";
                    return finishing(STARTED, "DatabaseStarted", outcome, false, List.of(clear(), announce("Started",
                            outcome, false)));
                }
                data.putIfAbsent(READY_AT, now.toString());
                if (past(since(READY_AT), settings.writeTimeout())) {
                    return fail("Start", key + " did not accept a write on node " + node + " within "
                            + settings.writeTimeout() + " of its pod Ready: " + problem.get());
                }
                return waiting("waiting for " + key + " to accept a write on node " + node + " (" + problem.get()
                        + ")" + lasting(since(READY_AT)));
            }
            String waitingFor = pod.isEmpty() ? "the StatefulSet to create pod " + podName()
                    : pod.get().node() == null ? "pod " + podName() + " to be scheduled (no node takes it yet)"
                    : "pod " + podName() + " Ready on node " + pod.get().node();
            if (past(entered(STARTING), settings.readyTimeout())) {
                return fail("Start", key + " not started within " + settings.readyTimeout() + ": still waiting for "
                        + waitingFor + "; it stays scaled to " + replicas);
            }
            return waiting("waiting for " + waitingFor + lasting(entered(STARTING)));
        }

        Decision<PlannedAction> started() {
            boolean recorded = view.statefulSet().map(s -> s.annotation(Names.STOPPED_REPLICAS_ANNOTATION).isPresent()
                    || s.annotation(Names.STOPPED_ON_ANNOTATION).isPresent()).orElse(false);
            return recorded ? waiting("removing " + Names.STOPPED_REPLICAS_ANNOTATION, List.of(clear())) : end();
        }

        private PlannedAction clear() {
            Map<String, String> clear = new HashMap<>();
            clear.put(Names.STOPPED_REPLICAS_ANNOTATION, null);
            clear.put(Names.STOPPED_ON_ANNOTATION, null);
            return new PlannedAction.Annotate(namespace, name, clear);
        }
    }
}
