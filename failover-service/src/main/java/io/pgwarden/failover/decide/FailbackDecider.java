package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Undo the last move of a database: uncordoning (the node {@code pgwarden.io/moved-from} names, only when it carries
 * {@code pgwarden.io/cordoned-for} of this database: a cordon someone else made stays) → with moveBack, the
 * {@link MoveDecider move}'s phases with that node as the target, lifting the cordon of the node it leaves too →
 * failed-back ({@code moved-from} removed).
 */
public final class FailbackDecider {
    public static final String UNCORDONING = "uncordoning";
    public static final String FAILED_BACK = "failed-back";

    /** Data key: the node the failback returns to. */
    static final String NODE = "failbackNode";

    private FailbackDecider() {
    }

    public static Decision<PlannedAction> decide(Operation op, FailbackDatabase command, PlannedView view, Instant now,
                                                 PlannedSettings settings) {
        Turn turn = new Turn(op, command, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.start();
            case UNCORDONING -> turn.uncordoning();
            case FAILED_BACK -> turn.failedBack();
            default -> MoveDecider.PHASES.contains(op.phase()) ? turn.moveBack().decide()
                    : Decision.fail("unknown phase " + op.phase() + " of a failback");
        };
    }

    private static final class Turn extends PlannedTurn {
        private final FailbackDatabase command;

        Turn(Operation op, FailbackDatabase command, PlannedView view, Instant now, PlannedSettings settings) {
            super(op, command.namespace(), command.cluster(), view, now, settings);
            this.command = command;
        }

        Decision<PlannedAction> start() {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject("Failback", unusable.get());
            }
            Optional<String> movedFrom = statefulSet().annotation(Names.MOVED_FROM_ANNOTATION);
            if (movedFrom.isEmpty()) {
                return reject("Failback", key + " has no annotation " + Names.MOVED_FROM_ANNOTATION
                        + ": no move of pgwarden to fail back (to put it on a node, move it with that target)");
            }
            String node = movedFrom.get();
            Optional<NodeSeen> seen = view.node(node);
            boolean ours = seen.map(this::isOurs).orElse(false);
            List<String> plan = new ArrayList<>();
            if (seen.isEmpty()) {
                plan.add("node " + node + " no longer exists: nothing to uncordon");
            } else if (ours) {
                plan.add("uncordon node " + node + " (pgwarden cordoned it when " + key + " left it)");
            } else if (seen.get().unschedulable()) {
                plan.add("node " + node + " is cordoned, not by pgwarden for " + key + ": left cordoned");
            } else {
                plan.add("node " + node + " is schedulable already");
            }
            if (command.moveBack()) {
                if (seen.isEmpty()) {
                    return reject("Failback", "cannot move " + key + " back: node " + node + " no longer exists;"
                            + " fail back without moveBack to clear " + Names.MOVED_FROM_ANNOTATION);
                }
                if (runsOn(node)) {
                    plan.add(key + " runs on node " + node + " already: nothing to move");
                } else {
                    if (seen.get().unschedulable() && !ours) {
                        return reject("Failback", "cannot move " + key + " back to node " + node + ": it is cordoned,"
                                + " and not by pgwarden (no " + Names.CORDONED_FOR_ANNOTATION + "=" + key
                                + "): uncordon it first, or fail back without moveBack");
                    }
                    List<String> why = Placement.whyNot(seen.get(), statefulSet().constraints(), false);
                    if (!why.isEmpty()) {
                        return reject("Failback", "cannot move " + key + " back to node " + node + ": "
                                + String.join(", ", why));
                    }
                    if (statefulSet().replicas() != 1) {
                        return reject("Failback", "cannot move " + key + " back: replicas " + statefulSet().replicas()
                                + ", not 1");
                    }
                    plan.add("then move " + key + " back to node " + node + " (a move with that target: the other"
                            + " schedulable nodes are cordoned by pgwarden until the new pod is bound)");
                }
            }
            plan.add("remove " + Names.MOVED_FROM_ANNOTATION + " from StatefulSet " + key);
            if (command.dryRun()) {
                return dryRun("Failback", String.join("; ", plan));
            }
            data.put(NODE, node);
            if (ours) {
                return enter(UNCORDONING, "FailbackUncordoning", "uncordoning node " + node, List.of(
                        new PlannedAction.Uncordon(node, key),
                        announce("Uncordoning", "pgwarden uncordons node " + node + ", which it cordoned when " + key
                                + " left it", false)));
            }
            data.put(MoveDecider.BEFORE, plan.get(0) + "; ");
            return afterUncordon();
        }

        Decision<PlannedAction> uncordoning() {
            String node = data.get(NODE);
            if (view.node(node).map(this::isOurs).orElse(false)) {
                return waiting("uncordoning node " + node + lasting(entered(UNCORDONING)),
                        List.of(new PlannedAction.Uncordon(node, key)));
            }
            data.put(MoveDecider.BEFORE, "uncordoned node " + node + "; ");
            return afterUncordon();
        }

        private Decision<PlannedAction> afterUncordon() {
            String node = data.get(NODE);
            if (command.moveBack() && !runsOn(node)) {
                data.put(MoveDecider.BEFORE, "failed back " + key + ": " + data.getOrDefault(MoveDecider.BEFORE, ""));
                return moveBack().start();
            }
            Map<String, String> clear = new HashMap<>();
            clear.put(Names.MOVED_FROM_ANNOTATION, null);
            String outcome = "failed back " + key + ": " + data.getOrDefault(MoveDecider.BEFORE, "")
                    + (command.moveBack() ? "it runs on node " + node + "; " : "") + "cleared "
                    + Names.MOVED_FROM_ANNOTATION;
            return finishing(FAILED_BACK, "DatabaseFailedBack", outcome, false, List.of(
                    new PlannedAction.Annotate(namespace, name, clear), announce("FailedBack", outcome, false)));
        }

        Decision<PlannedAction> failedBack() {
            if (view.statefulSet().flatMap(s -> s.annotation(Names.MOVED_FROM_ANNOTATION)).isPresent()) {
                Map<String, String> clear = new HashMap<>();
                clear.put(Names.MOVED_FROM_ANNOTATION, null);
                return waiting("clearing " + Names.MOVED_FROM_ANNOTATION,
                        List.of(new PlannedAction.Annotate(namespace, name, clear)));
            }
            return end();
        }

        MoveDecider.Turn moveBack() {
            String node = data.get(NODE);
            return new MoveDecider.Turn(this, new MoveDecider.Move(Optional.of(node), false, false, false, true,
                    "Failback", "DatabaseFailedBack"));
        }

        private boolean runsOn(String node) {
            return view.pod().map(p -> node.equals(p.node()) && !p.terminating()).orElse(false);
        }

        private boolean isOurs(NodeSeen node) {
            return node.cordonedFor().map(key::equals).orElse(false);
        }
    }
}
