package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.failover.decide.PlannedAction.Cordon;
import io.pgwarden.failover.decide.PlannedAction.Uncordon;
import io.pgwarden.failover.decide.PlannedView.BudgetSeen;
import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.failover.decide.PlannedView.StatefulSetSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A database moved to another node as {@code kubectl drain} moves a pod: checks → cordoning (the node it leaves,
 * annotated {@code pgwarden.io/cordoned-for}, unless already cordoned) → evicting (policy/v1 Eviction, so a
 * PodDisruptionBudget can refuse; with ignoreDisruptionBudget a delete) → rescheduling (the StatefulSet's new pod
 * Ready on another node and a write accepted through the Service) → moved ({@code pgwarden.io/moved-from} on the
 * StatefulSet), or rolling back (every cordon this move made is lifted) and failed.
 *
 * <p>With a target node, every other schedulable node is cordoned by pgwarden too (annotated alike) from before the
 * eviction until the new pod is bound, so the scheduler has one choice; those cordons are lifted as soon as it is
 * bound. Failback's move back uses this with its node as the target, lifting the cordon of the node it leaves too.
 */
public final class MoveDecider {
    public static final String CORDONING = "cordoning";
    public static final String EVICTING = "evicting";
    public static final String RESCHEDULING = "rescheduling";
    public static final String MOVED = "moved";
    public static final String ROLLING_BACK = "rolling-back";
    public static final Set<String> PHASES = Set.of(CORDONING, EVICTING, RESCHEDULING, MOVED, ROLLING_BACK);

    /** Data keys. */
    static final String FROM = "from";
    static final String TARGET = "target";
    /** The node this move cordoned and leaves cordoned, for failback to lift. */
    static final String KEPT = "kept";
    /** The nodes this move cordoned only until the new pod is bound. */
    static final String TEMPORARY = "temporary";
    static final String GONE_AT = "goneAt";
    static final String READY_AT = "readyAt";
    /** Why a move is rolled back. */
    static final String REASON = "reason";
    /** Words a failback puts before the move's outcome. */
    static final String BEFORE = "before";

    private MoveDecider() {
    }

    /**
     * How a move goes.
     *
     * @param target                 the node it must land on, if one
     * @param keepSourceCordoned     leave the node it leaves cordoned (a move) or lift that cordon too (a move back)
     * @param clearMovedFrom         at the end, remove {@code moved-from} (a move back) instead of setting it
     * @param label                  the activities' prefix, e.g. {@code Move}
     * @param doneAction             the activity of success, e.g. {@code DatabaseMoved}
     */
    public record Move(Optional<String> target, boolean ignoreDisruptionBudget, boolean dryRun,
                       boolean keepSourceCordoned, boolean clearMovedFrom, String label, String doneAction) {
        static Move of(MoveDatabase c) {
            return new Move(Optional.ofNullable(c.targetNode()), c.ignoreDisruptionBudget(), c.dryRun(), true, false,
                    "Move", "DatabaseMoved");
        }
    }

    public static Decision<PlannedAction> decide(Operation op, MoveDatabase command, PlannedView view, Instant now,
                                                 PlannedSettings settings) {
        Turn turn = new Turn(op, command.namespace(), command.cluster(), Move.of(command), view, now, settings);
        return Operation.START.equals(op.phase()) ? turn.start() : turn.decide();
    }

    static final class Turn extends PlannedTurn {
        private final Move move;

        Turn(Operation op, String namespace, String name, Move move, PlannedView view, Instant now,
             PlannedSettings settings) {
            super(op, namespace, name, view, now, settings);
            this.move = move;
        }

        /** Failback hands over its data: the move starts from what the failback remembered. */
        Turn(PlannedTurn from, Move move) {
            super(from.op, from.namespace, from.name, from.view, from.now, from.settings);
            this.data.putAll(from.data);
            this.move = move;
        }

        Decision<PlannedAction> decide() {
            return switch (op.phase()) {
                case CORDONING -> cordoning();
                case EVICTING -> evicting();
                case RESCHEDULING -> rescheduling();
                case MOVED -> moved();
                case ROLLING_BACK -> rollingBack();
                default -> Decision.fail("unknown phase " + op.phase() + " of a move");
            };
        }

        Decision<PlannedAction> start() {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject(move.label(), unusable.get());
            }
            StatefulSetSeen sts = statefulSet();
            if (sts.replicas() == 0 && sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION).isPresent()) {
                return reject(move.label(), key + " is stopped by pgwarden (a planned outage): start it first");
            }
            if (sts.replicas() != 1) {
                return reject(move.label(), key + " has replicas " + sts.replicas() + ", not 1: pgwarden moves only"
                        + " a single-primary StatefulSet (replicas 1)");
            }
            Optional<PodSeen> found = view.pod();
            if (found.isEmpty() || found.get().node() == null) {
                return reject(move.label(), "pod " + podName() + " of " + key + (found.isEmpty() ? " does not exist"
                        : " is not scheduled to a node") + ": nothing to move; wait until it runs");
            }
            PodSeen pod = found.get();
            if (pod.terminating()) {
                return reject(move.label(), "pod " + podName() + " is terminating: wait until it runs again");
            }
            String from = pod.node();
            List<String> verdicts = new ArrayList<>();
            if (move.target().isPresent()) {
                String target = move.target().get();
                if (target.equals(from)) {
                    return reject(move.label(), "target node " + target + " is where pod " + podName()
                            + " runs already: choose another node, or none");
                }
                Optional<NodeSeen> node = view.node(target);
                if (node.isEmpty()) {
                    return reject(move.label(), "target node " + target + " does not exist; " + candidates(from));
                }
                List<String> why = Placement.whyNot(node.get(), sts.constraints(), true);
                if (!why.isEmpty()) {
                    return reject(move.label(), "target node " + target + " cannot run pod " + podName() + ": "
                            + String.join(", ", why) + "; " + candidates(from));
                }
                verdicts.add("target node " + target + " is Ready, schedulable and allowed by the pod's constraints");
            } else {
                List<NodeSeen> able = able(from);
                if (able.isEmpty()) {
                    return reject(move.label(), "no other node can run pod " + podName() + ": " + reasons(from));
                }
                List<String> open = able.stream().filter(n -> !n.unschedulable()).map(NodeSeen::name).toList();
                verdicts.add(open.isEmpty() ? "every other node that could run it is cordoned now (" + names(able)
                        + "): the pod waits for one to be uncordoned, for up to " + settings.readyTimeout()
                        + ", then the move is rolled back" : "nodes that can take it: " + String.join(", ", open));
            }
            verdicts.addAll(budgetVerdicts());
            boolean sourceCordoned = view.node(from).map(NodeSeen::unschedulable).orElse(false);
            List<String> temporary = new ArrayList<>();
            List<PlannedAction> actions = new ArrayList<>();
            if (sourceCordoned) {
                verdicts.add("node " + from + " is cordoned already: left as it is");
            } else {
                actions.add(new Cordon(from, key));
                if (move.keepSourceCordoned()) {
                    data.put(KEPT, from);
                } else {
                    temporary.add(from);
                }
            }
            move.target().ifPresent(target -> view.nodes().stream()
                    .filter(n -> !n.name().equals(from) && !n.name().equals(target) && !n.unschedulable())
                    .forEach(n -> {
                        temporary.add(n.name());
                        actions.add(new Cordon(n.name(), key));
                    }));
            String plan = plan(from, sourceCordoned, temporary) + "; " + String.join("; ", verdicts);
            if (move.dryRun()) {
                return dryRun(move.label(), plan);
            }
            data.put(FROM, from);
            data.put(PlannedDecider.OLD_UID, pod.uid());
            move.target().ifPresent(t -> data.put(TARGET, t));
            data.put(TEMPORARY, String.join(",", temporary));
            actions.add(announce("Moving", "pgwarden moves " + key + ": " + plan, false));
            List<String> cordoning = new ArrayList<>(temporary);
            if (data.containsKey(KEPT)) {
                cordoning.add(0, from);
            }
            return enter(CORDONING, move.label() + "Cordoning", cordoning.isEmpty() ? "cordoning nothing: node " + from
                    + " is cordoned already" : "cordoning node" + (cordoning.size() > 1 ? "s " : " ")
                    + String.join(", ", cordoning), actions);
        }

        private String plan(String from, boolean sourceCordoned, List<String> temporary) {
            StringBuilder plan = new StringBuilder("move " + key + " off node " + from
                    + move.target().map(t -> " to node " + t).orElse("") + ": ");
            if (!sourceCordoned) {
                plan.append("cordon node ").append(from).append(move.keepSourceCordoned()
                        ? " (remembered as pgwarden's cordon, for failback)" : " until the new pod is bound")
                        .append(", ");
            }
            List<String> others = temporary.stream().filter(n -> !n.equals(from)).toList();
            if (!others.isEmpty()) {
                plan.append("cordon ").append(String.join(", ", others)).append(" until the new pod is bound, ");
            }
            plan.append(move.ignoreDisruptionBudget() ? "delete pod " + podName() + " (disruption budgets ignored)"
                    : "evict pod " + podName() + " (policy/v1 Eviction: disruption budgets hold)");
            plan.append(", wait until it is Ready on ").append(move.target().map(t -> "node " + t)
                    .orElse("another node")).append(" (up to ").append(settings.readyTimeout())
                    .append(") and accepts a write (up to ").append(settings.writeTimeout()).append(")");
            return plan.toString();
        }

        private List<String> budgetVerdicts() {
            List<String> verdicts = new ArrayList<>();
            for (BudgetSeen b : view.budgets()) {
                String verdict = "PodDisruptionBudget " + b.name() + " (" + b.rule() + ") allows "
                        + b.disruptionsAllowed() + " disruptions now";
                if (b.disruptionsAllowed() <= 0) {
                    verdict += move.ignoreDisruptionBudget() ? ": ignored as asked, the pod is deleted"
                            : ": the eviction will be refused and the move fail, changing nothing";
                }
                verdicts.add(verdict);
            }
            return verdicts;
        }

        /** The other nodes that could run the pod, cordoned or not. */
        private List<NodeSeen> able(String from) {
            return view.nodes().stream().filter(n -> !n.name().equals(from))
                    .filter(n -> Placement.whyNot(n, statefulSet().constraints(), false).isEmpty()).toList();
        }

        private String candidates(String from) {
            List<String> open = able(from).stream().filter(n -> !n.unschedulable()).map(NodeSeen::name).toList();
            return open.isEmpty() ? "no other node can take it now (" + reasons(from) + ")"
                    : "nodes that can take it: " + String.join(", ", open);
        }

        private String reasons(String from) {
            List<String> each = view.nodes().stream().filter(n -> !n.name().equals(from))
                    .map(n -> n.name() + " (" + String.join(", ", Placement.whyNot(n, statefulSet().constraints(),
                            true)) + ")").toList();
            return each.isEmpty() ? "there is no other node" : String.join(", ", each);
        }

        private Decision<PlannedAction> cordoning() {
            List<PlannedAction> missing = new ArrayList<>();
            for (String node : ours()) {
                Optional<NodeSeen> seen = view.node(node);
                if (seen.isPresent() && (!seen.get().unschedulable() || !isOurs(seen.get()))) {
                    missing.add(new Cordon(node, key));
                }
            }
            if (!missing.isEmpty()) {
                if (past(entered(CORDONING), settings.evictTimeout())) {
                    return rollback("the cordons did not show within " + settings.evictTimeout());
                }
                return waiting("cordoning " + missing.size() + " nodes" + lasting(entered(CORDONING)), missing);
            }
            return evict();
        }

        private Decision<PlannedAction> evict() {
            Optional<PodSeen> old = oldPod().filter(p -> !p.terminating());
            if (old.isEmpty()) {
                return enter(RESCHEDULING, move.label() + "Rescheduling", "pod " + podName() + " is leaving node "
                        + data.get(FROM), List.of());
            }
            PodSeen pod = old.get();
            boolean delete = move.ignoreDisruptionBudget();
            PlannedAction action = delete ? new PlannedAction.DeletePod(namespace, pod.name(), pod.uid())
                    : new PlannedAction.Evict(namespace, pod.name(), pod.uid());
            String step = (delete ? "deleting" : "evicting") + " pod " + pod.name() + " from node " + data.get(FROM);
            return enter(EVICTING, move.label() + "Evicting", step, List.of(action,
                    announce(delete ? "Deleting" : "Evicting", "pgwarden is " + step, false)));
        }

        private Decision<PlannedAction> evicting() {
            if (view.evictionRefused().isPresent()) {
                List<String> budgets = budgetVerdicts();
                return rollback("the eviction of pod " + podName() + " was refused: " + view.evictionRefused().get()
                        + (budgets.isEmpty() ? "" : " (" + String.join("; ", budgets) + ")")
                        + "; ask with ignoreDisruptionBudget to delete the pod anyway");
            }
            Optional<PodSeen> old = oldPod().filter(p -> !p.terminating());
            if (old.isPresent()) {
                if (past(entered(EVICTING), settings.evictTimeout())) {
                    return rollback("pod " + podName() + " was not evicted within " + settings.evictTimeout());
                }
                PlannedAction again = move.ignoreDisruptionBudget()
                        ? new PlannedAction.DeletePod(namespace, old.get().name(), old.get().uid())
                        : new PlannedAction.Evict(namespace, old.get().name(), old.get().uid());
                return waiting("evicting pod " + podName() + " from node " + data.get(FROM)
                        + lasting(entered(EVICTING)), List.of(again));
            }
            return enter(RESCHEDULING, move.label() + "Rescheduling", "pod " + podName()
                    + (move.ignoreDisruptionBudget() ? " deleted" : " evicted") + " from node " + data.get(FROM),
                    List.of());
        }

        private Decision<PlannedAction> rescheduling() {
            String from = data.get(FROM);
            if (oldPod().isPresent()) {
                Instant evicted = data.containsKey(PlannedDecider.AT + EVICTING) ? entered(EVICTING)
                        : entered(RESCHEDULING);
                if (past(evicted, settings.evictTimeout())) {
                    return rollback("pod " + podName() + " did not stop on node " + from + " within "
                            + settings.evictTimeout());
                }
                return waiting("waiting for pod " + podName() + " to stop on node " + from + lasting(evicted));
            }
            data.putIfAbsent(GONE_AT, now.toString());
            Optional<PodSeen> fresh = view.pod();
            List<PlannedAction> actions = new ArrayList<>();
            if (fresh.isPresent() && fresh.get().node() != null) {
                actions.addAll(liftTemporary());
                Optional<String> target = Optional.ofNullable(data.get(TARGET));
                if (target.isPresent() && !target.get().equals(fresh.get().node())) {
                    return rollback("pod " + podName() + " was scheduled to node " + fresh.get().node()
                            + ", not to the target " + target.get() + " (was a node uncordoned meanwhile?)");
                }
            }
            if (fresh.isPresent() && fresh.get().ready() && !fresh.get().terminating()
                    && !fresh.get().node().equals(from)) {
                String node = fresh.get().node();
                Optional<String> problem = view.write().map(w -> w.problem()).orElse(Optional.of("not checked yet"));
                if (problem.isEmpty()) {
                    return moved(node);
                }
                data.putIfAbsent(READY_AT, now.toString());
                if (past(since(READY_AT), settings.writeTimeout())) {
                    return rollback(key + " did not accept a write on node " + node + " within "
                            + settings.writeTimeout() + " of its pod Ready: " + problem.get());
                }
                return waiting("waiting for " + key + " to accept a write on node " + node + " (" + problem.get() + ")"
                        + lasting(since(READY_AT)), actions);
            }
            if (past(since(GONE_AT), settings.readyTimeout())) {
                return rollback("pod " + podName() + " did not become Ready on another node within "
                        + settings.readyTimeout() + ": " + podState(fresh));
            }
            return waiting("waiting for " + podState(fresh) + lasting(since(GONE_AT)), actions);
        }

        private String podState(Optional<PodSeen> pod) {
            if (pod.isEmpty()) {
                return "the StatefulSet to create pod " + podName() + " again";
            }
            if (pod.get().node() == null) {
                return "pod " + podName() + " to be scheduled (no node takes it yet)";
            }
            return "pod " + podName() + " Ready on node " + pod.get().node();
        }

        private Decision<PlannedAction> moved(String node) {
            List<PlannedAction> actions = new ArrayList<>(liftTemporary());
            Map<String, String> annotation = new HashMap<>();
            annotation.put(Names.MOVED_FROM_ANNOTATION, move.clearMovedFrom() ? null : data.get(FROM));
            actions.add(new PlannedAction.Annotate(namespace, name, annotation));
            long ms = millisSinceRequest();
            actions.add(announce("Moved", key + " accepts writes on node " + node + ", " + ms
                    + " ms after the request (moved from node " + data.get(FROM) + ")", false));
            String outcome = data.getOrDefault(BEFORE, "") + "moved " + key + " from node " + data.get(FROM)
                    + " to node " + node + "; writes accepted " + ms + " ms after the request"
                    + (data.containsKey(KEPT) ? "; node " + data.get(KEPT) + " stays cordoned by pgwarden until"
                    + " failback" : "");
            return finishing(MOVED, move.doneAction(), outcome, false, actions);
        }

        private Decision<PlannedAction> moved() {
            List<PlannedAction> again = new ArrayList<>(liftTemporary());
            Optional<String> movedFrom = view.statefulSet().flatMap(s -> s.annotation(Names.MOVED_FROM_ANNOTATION));
            boolean annotated = move.clearMovedFrom() ? movedFrom.isEmpty()
                    : movedFrom.equals(Optional.ofNullable(data.get(FROM)));
            if (!annotated) {
                Map<String, String> annotation = new HashMap<>();
                annotation.put(Names.MOVED_FROM_ANNOTATION, move.clearMovedFrom() ? null : data.get(FROM));
                again.add(new PlannedAction.Annotate(namespace, name, annotation));
            }
            return again.isEmpty() ? end() : waiting("finishing the move", again);
        }

        /** Lift every cordon this move made, then fail with the reason. */
        private Decision<PlannedAction> rollback(String reason) {
            List<String> lifted = new ArrayList<>();
            List<PlannedAction> actions = new ArrayList<>();
            for (String node : ours()) {
                if (view.node(node).map(this::isOurs).orElse(false)) {
                    lifted.add(node);
                    actions.add(new Uncordon(node, key));
                }
            }
            String outcome = reason + (lifted.isEmpty() ? "" : "; rolled back: uncordoned node"
                    + (lifted.size() > 1 ? "s " : " ") + String.join(", ", lifted));
            data.put(REASON, reason);
            actions.add(announce("MoveFailed", outcome, true));
            return finishing(ROLLING_BACK, move.label() + "Failed", outcome, true, actions);
        }

        private Decision<PlannedAction> rollingBack() {
            List<String> still = ours().stream().filter(n -> view.node(n).map(this::isOurs).orElse(false)).toList();
            if (still.isEmpty()) {
                return end();
            }
            if (past(entered(ROLLING_BACK), settings.evictTimeout())) {
                return Decision.fail(data.get(REASON) + "; the rollback could not uncordon node "
                        + String.join(", ", still) + " within " + settings.evictTimeout() + ": uncordon it yourself"
                        + " (kubectl uncordon) and remove its annotation " + Names.CORDONED_FOR_ANNOTATION);
            }
            return waiting("rolling back: uncordoning " + String.join(", ", still) + lasting(entered(ROLLING_BACK)),
                    still.stream().<PlannedAction>map(n -> new Uncordon(n, key)).toList());
        }

        /** The temporary cordons still in place, lifted. */
        private List<PlannedAction> liftTemporary() {
            return list(data.get(TEMPORARY)).stream().filter(n -> view.node(n).map(this::isOurs).orElse(false))
                    .<PlannedAction>map(n -> new Uncordon(n, key)).toList();
        }

        /** Every node this move cordoned: the one it keeps cordoned and the temporary ones. */
        private List<String> ours() {
            Set<String> nodes = new LinkedHashSet<>();
            if (data.containsKey(KEPT)) {
                nodes.add(data.get(KEPT));
            }
            nodes.addAll(list(data.get(TEMPORARY)));
            return List.copyOf(nodes);
        }

        private boolean isOurs(NodeSeen node) {
            return node.cordonedFor().map(key::equals).orElse(false);
        }

        /** The pod this move is taking away, while it exists. */
        private Optional<PodSeen> oldPod() {
            return view.pod().filter(p -> p.uid().equals(data.get(PlannedDecider.OLD_UID)));
        }

        private static String names(List<NodeSeen> nodes) {
            return nodes.stream().map(NodeSeen::name).collect(Collectors.joining(", "));
        }
    }
}
