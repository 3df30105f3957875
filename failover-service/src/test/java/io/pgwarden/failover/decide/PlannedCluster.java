package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.failover.decide.PlannedView.BudgetSeen;
import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.failover.decide.PlannedView.PodConstraints;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.failover.decide.PlannedView.StatefulSetSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.Transitions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster for the planned deciders' tests, changed in place as the actions would change it: database default/pg
 * (pod pg-0 Ready on node001), nodes node001 to node003 Ready and schedulable.
 */
final class PlannedCluster {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final String KEY = "default/pg";
    static final PlannedSettings SETTINGS = new PlannedSettings(Duration.ofSeconds(60), Duration.ofSeconds(120),
            Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofMillis(500));

    boolean exists = true;
    boolean managed = true;
    int replicas = 1;
    Map<String, String> annotations = new HashMap<>();
    PodConstraints constraints = PodConstraints.NONE;
    PodSeen pod = new PodSeen("pg-0", "uid-1", "node001", true, false);
    final Map<String, NodeSeen> nodes = new LinkedHashMap<>();
    List<BudgetSeen> budgets = List.of();
    List<String> attachments = List.of();
    Optional<String> evictionRefused = Optional.empty();
    Optional<String> writeProblem = null;
    Optional<String> busyWith = Optional.empty();

    PlannedCluster() {
        for (String n : List.of("node001", "node002", "node003")) {
            nodes.put(n, node(n, true, false, Optional.empty()));
        }
    }

    static NodeSeen node(String name, boolean ready, boolean unschedulable, Optional<String> cordonedFor) {
        return new NodeSeen(name, ready, unschedulable, Map.of("kubernetes.io/hostname", name), List.of(), cordonedFor);
    }

    PlannedView view() {
        Optional<StatefulSetSeen> sts = exists ? Optional.of(new StatefulSetSeen("default", "pg", managed, replicas,
                annotations, constraints)) : Optional.empty();
        return new PlannedView(sts, Optional.ofNullable(pod), new ArrayList<>(nodes.values()), budgets, attachments,
                evictionRefused, writeProblem == null ? Optional.empty()
                : Optional.of(new PlannedView.WriteCheck(writeProblem)), busyWith);
    }

    void cordon(String node, String forDatabase) {
        NodeSeen n = nodes.get(node);
        nodes.put(node, new NodeSeen(node, n.ready(), true, n.labels(), n.taints(), Optional.ofNullable(forDatabase)));
    }

    void uncordon(String node) {
        NodeSeen n = nodes.get(node);
        nodes.put(node, new NodeSeen(node, n.ready(), false, n.labels(), n.taints(), Optional.empty()));
    }

    /** What the API server and controllers would make of the actions. */
    void apply(List<PlannedAction> actions) {
        for (PlannedAction a : actions) {
            if (a instanceof PlannedAction.Cordon c) {
                cordon(c.node(), c.forDatabase());
            } else if (a instanceof PlannedAction.Uncordon u) {
                if (nodes.get(u.node()).cordonedFor().equals(Optional.of(u.forDatabase()))) {
                    uncordon(u.node());
                }
            } else if (a instanceof PlannedAction.Evict || a instanceof PlannedAction.DeletePod) {
                pod = new PodSeen(pod.name(), pod.uid(), pod.node(), pod.ready(), true);
            } else if (a instanceof PlannedAction.Scale s) {
                replicas = s.replicas();
            } else if (a instanceof PlannedAction.Annotate an) {
                an.annotations().forEach((k, v) -> {
                    if (v == null) {
                        annotations.remove(k);
                    } else {
                        annotations.put(k, v);
                    }
                });
            }
        }
    }

    static Operation accepted(String kind) {
        return new Operation("op-1", 1, kind, KEY, "io.pgwarden." + kind, "op-1", new byte[0], Operation.START,
                Map.of(), CommandState.ACCEPTED, null, null, 0, T0, null, null, null, 1, T0, T0);
    }

    /** The operation as the engine persists it after the decision. */
    static Operation after(Operation op, Decision<?> d, Instant now) {
        return Transitions.decided(op, d, now).operation();
    }

    static Map<String, String> stoppedAnnotations() {
        Map<String, String> a = new HashMap<>();
        a.put(Names.STOPPED_REPLICAS_ANNOTATION, "1");
        a.put(Names.STOPPED_ON_ANNOTATION, "node001");
        return a;
    }
}
