package io.pgwarden.failover.decide;

import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.failover.decide.IncidentAction.Announce;
import io.pgwarden.failover.decide.IncidentAction.Fence;
import io.pgwarden.failover.decide.IncidentAction.ForceDeletePod;
import io.pgwarden.failover.decide.IncidentAction.ReleaseLock;
import io.pgwarden.failover.decide.IncidentAction.TaintOutOfService;
import io.pgwarden.failover.decide.IncidentAction.TakeLock;
import io.pgwarden.failover.decide.IncidentAction.Unfence;
import io.pgwarden.failover.decide.IncidentView.DatabaseSeen;
import io.pgwarden.failover.decide.IncidentView.Lock;
import io.pgwarden.failover.decide.IncidentView.PodSeen;
import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One node's incident, phase by phase: suspected → confirmed → fencing → fenced → releasing → recovering →
 * recovered, or aborted (the node came back before it was fenced) or failed (with the reason).
 *
 * <p>The order is the safety argument. Nothing is released before the fence is confirmed by its agent; every
 * destructive step re-checks, in the same observation, that the node is still silent (its Lease not renewed since
 * the incident began), that the fence is still confirmed, and that the pod is the one the incident saw (the delete
 * carries its UID as a precondition). The safety rails are checked in a fixed order before fencing: pause, excluded
 * node, storm (within the storm settle time after the suspicion, the nodes not heard from since this one died count
 * as unhealthy, so a storm's nodes are seen together), the databases' locks, the fence rate, and node-watcher's
 * freshness.
 *
 * <p>The timeline is kept in the operation's data as {@code at.<phase>} instants; a final phase (recovered, aborted,
 * failed) is persisted with its locks given back before the operation ends, so the phase column tells the outcome.
 */
public final class IncidentDecider {
    public static final String SUSPECTED = "suspected";
    public static final String CONFIRMED = "confirmed";
    public static final String FENCING = "fencing";
    public static final String FENCED = "fenced";
    public static final String RELEASING = "releasing";
    public static final String RECOVERING = "recovering";
    public static final String RECOVERED = "recovered";
    public static final String ABORTED = "aborted";
    public static final String FAILED = "failed";
    public static final List<String> PHASES =
            List.of(SUSPECTED, CONFIRMED, FENCING, FENCED, RELEASING, RECOVERING, RECOVERED, ABORTED, FAILED);

    /** Data keys. */
    public static final String AT = "at.";
    public static final String DATABASES = "databases";
    public static final String FENCE_DRIVER = "fenceDriver";
    public static final String POD = "pod.";
    /** The turn the storm guard first let the incident past: its wait, when it waited, ended here. */
    public static final String STORM_SETTLED_AT = "stormSettledAt";
    static final String RECOVERED_AT = "recoveredAt.";
    static final String FENCE_ATTEMPTS = "fenceAttempts";
    static final String FENCE_ASKED_AT = "fenceAskedAt";
    static final String OUTCOME = "outcome";

    private IncidentDecider() {
    }

    public static Decision<IncidentAction> decide(Operation op, NodeIncident incident, IncidentView view, Instant now,
                                                  IncidentSettings settings) {
        return new Turn(op, incident, view, now, settings).decide();
    }

    /** One decision's working state: the operation's data as it will be remembered. */
    private static final class Turn {
        private final Operation op;
        private final NodeIncident incident;
        private final IncidentView view;
        private final Instant now;
        private final IncidentSettings settings;
        private final Map<String, String> data;
        private final String node;

        Turn(Operation op, NodeIncident incident, IncidentView view, Instant now, IncidentSettings settings) {
            this.op = op;
            this.incident = incident;
            this.view = view;
            this.now = now;
            this.settings = settings;
            this.data = new HashMap<>(op.data());
            this.node = incident.node();
        }

        Decision<IncidentAction> decide() {
            return switch (op.phase()) {
                case Operation.START -> enter(SUSPECTED, "node " + node + " is suspect: "
                        + (incident.leaseRenewedAt() == null ? "no lease renewal seen"
                        : "lease last renewed at " + incident.leaseRenewedAt()), List.of(), incident.suspectedAt());
                case SUSPECTED -> suspected();
                case CONFIRMED -> confirmed();
                case FENCING -> fencing();
                case FENCED -> fenced();
                case RELEASING -> releasing();
                case RECOVERING -> recovering();
                case RECOVERED, ABORTED, FAILED -> finish();
                default -> fail("unknown incident phase " + op.phase());
            };
        }

        private Decision<IncidentAction> suspected() {
            if (nodeIsBack()) {
                return abort("node " + node + " came back before it was fenced (" + backBecause() + ")");
            }
            List<DatabaseSeen> affected = affected();
            if (affected.isEmpty()) {
                return abort("nothing to release: no managed database with failover enabled and one replica has a pod"
                        + " on node " + node + leftAlone());
            }
            Optional<String> confirmedBy = confirmation();
            if (confirmedBy.isEmpty()) {
                Instant at = started(SUSPECTED).plus(settings.confirmAfter());
                return waiting(SUSPECTED, "suspected: confirming until " + at + " unless the node comes back",
                        Duration.between(now, at));
            }
            for (DatabaseSeen db : affected) {
                PodSeen pod = db.podOnNode().orElseThrow();
                data.put(POD + db.key(), pod.name() + "/" + pod.uid());
            }
            data.put(DATABASES, affected.stream().map(DatabaseSeen::key).collect(Collectors.joining(",")));
            List<IncidentAction> actions = new ArrayList<>();
            actions.add(announceNode("NodeConfirmedDown", "pgwarden confirmed node " + node + " down: "
                    + confirmedBy.get(), true));
            return enter(CONFIRMED, "confirmed: " + confirmedBy.get() + "; databases " + data.get(DATABASES)
                    + leftAlone(), actions, now);
        }

        /** The rails, in their fixed order, then the fence. */
        private Decision<IncidentAction> confirmed() {
            if (nodeIsBack()) {
                return abort("node " + node + " came back before it was fenced (" + backBecause() + ")");
            }
            IncidentView.Rails rails = view.rails();
            if (rails.pausedBecause().isPresent()) {
                return waiting(CONFIRMED, "waiting: failover is paused (" + rails.pausedBecause().get() + ")",
                        settings.poll());
            }
            if (view.node().excluded()) {
                return abort("node " + node + " is excluded from failover by its label pgwarden.io/failover-excluded");
            }
            if (isStorm(rails.unhealthyNodes(), rails.knownNodes())) {
                return waiting(CONFIRMED, "storm guard: " + rails.unhealthyNodes() + " of " + rails.knownNodes()
                        + " nodes are unhealthy at once (more than " + stormLimit() + "); fencing nothing: the"
                        + " watcher or the network may be the one cut off", settings.poll());
            }
            Instant settled = started(SUSPECTED).plus(settings.stormSettle());
            if (now.isBefore(settled)) {
                // A node whose lease was renewed after the last moment this one can have died did not fail with it.
                // Until so many are heard from that the rest could not make a storm, a storm may still be surfacing.
                Instant died = latestDeath();
                long heard = rails.aliveRenewals().values().stream().filter(r -> r.isAfter(died)).count();
                int unheard = (int) Math.max(0, rails.knownNodes() - rails.unhealthyNodes() - heard);
                if (isStorm(rails.unhealthyNodes() + unheard, rails.knownNodes())) {
                    return waiting(CONFIRMED, "storm guard: " + unheard + " other nodes not heard from since " + died
                            + "; fencing nothing before " + settled + " unless they renew their leases, so nodes that"
                            + " failed with this one are counted (" + rails.unhealthyNodes() + " of "
                            + rails.knownNodes() + " nodes unhealthy so far)", settings.poll());
                }
            }
            data.putIfAbsent(STORM_SETTLED_AT, now.toString());
            List<IncidentAction> locks = new ArrayList<>();
            for (String key : databases()) {
                Optional<DatabaseSeen> db = database(key);
                Lock lock = db.map(DatabaseSeen::lock).orElse(Lock.free());
                if (lock.state() == Lock.State.BUSY) {
                    return waiting(CONFIRMED, "waiting: database " + key + " is busy with " + lock.holder(),
                            settings.poll());
                }
                if (lock.state() == Lock.State.FREE) {
                    String[] ns = key.split("/", 2);
                    locks.add(new TakeLock(ns[0], ns[1]));
                }
            }
            if (!locks.isEmpty()) {
                return Decision.<IncidentAction>act(CONFIRMED, "taking the locks of " + String.join(", ", databases()),
                        locks).remembering(data);
            }
            if (rails.recentFences() >= settings.fenceRateMax()) {
                return waiting(CONFIRMED, "fence rate limit: " + rails.recentFences() + " fences started in the last "
                        + settings.fenceRateWindow() + " (at most " + settings.fenceRateMax() + ")", settings.poll());
            }
            if (rails.watcherHeardAt().isEmpty()
                    || rails.watcherHeardAt().get().plus(settings.watcherStaleAfter()).isBefore(now)) {
                return waiting(CONFIRMED, "waiting: node-watcher's view is stale (last heard "
                        + rails.watcherHeardAt().map(Instant::toString).orElse("never") + ")", settings.poll());
            }
            IncidentView.FenceSeen fence = view.fence();
            if (fence.driver().isEmpty()) {
                return fail("cannot fence node " + node + ": " + fence.problem().orElse("no fence driver")
                        + "; nothing was released");
            }
            String driver = fence.driver().get();
            data.put(FENCE_DRIVER, driver);
            data.put(FENCE_ATTEMPTS, "1");
            data.put(FENCE_ASKED_AT, now.toString());
            List<IncidentAction> actions = new ArrayList<>();
            if (fence.taintFences()) {
                actions.add(new TaintOutOfService(node));
            }
            actions.add(new Fence(node, driver));
            actions.add(announceNode("Fencing", "pgwarden is fencing node " + node + " with " + driver, true));
            return enter(FENCING, "fencing node " + node + " with " + driver, actions, now);
        }

        private Decision<IncidentAction> fencing() {
            String driver = data.get(FENCE_DRIVER);
            FenceStatus status = view.fence().status();
            if (status.state() == FenceStatus.State.FENCED) {
                // Released in the turn that sees the fence confirmed: this observation is the re-check the release
                // needs, and a turn of its own would only add its latency between the fence and the force delete.
                data.putIfAbsent(AT + FENCED, now.toString());
                Decision<IncidentAction> release = fenced();
                List<IncidentAction> actions = new ArrayList<>(release.actions());
                actions.add(announceNode("Fenced", "node " + node + " fenced by " + driver + ": " + status.detail(),
                        true));
                List<Activity> activities = new ArrayList<>();
                activities.add(activity(FENCED, "fenced: " + status.detail()));
                activities.addAll(release.activities());
                return new Decision<>(actions, activities, release.next(), release.phase(), release.data(),
                        release.step(), release.recheck(), release.outcome());
            }
            if (nodeIsBack()) {
                return abort("node " + node + " came back while it was being fenced, before the fence was confirmed ("
                        + backBecause() + ")", new Unfence(node, driver));
            }
            int attempts = Integer.parseInt(data.getOrDefault(FENCE_ATTEMPTS, "1"));
            Instant askedAt = Instant.parse(data.getOrDefault(FENCE_ASKED_AT, started(FENCING).toString()));
            boolean timedOut = now.isAfter(askedAt.plus(settings.fenceTimeout()));
            if (status.state() == FenceStatus.State.FAILED || timedOut) {
                String why = status.state() == FenceStatus.State.FAILED ? "failed: " + status.detail()
                        : "not confirmed within " + settings.fenceTimeout() + " (" + status.detail() + ")";
                if (attempts >= settings.fenceAttempts()) {
                    return fail("fence of node " + node + " by " + driver + " " + why + ", after " + attempts
                            + " attempts; nothing was released");
                }
                data.put(FENCE_ATTEMPTS, String.valueOf(attempts + 1));
                data.put(FENCE_ASKED_AT, now.toString());
                return Decision.<IncidentAction>act(FENCING, "fencing node " + node + " again (attempt "
                        + (attempts + 1) + " of " + settings.fenceAttempts() + "): the last " + why,
                        List.of(new Fence(node, driver))).remembering(data);
            }
            return waiting(FENCING, "waiting for " + driver + " to confirm the fence of node " + node + ": "
                    + status.detail(), settings.poll());
        }

        /**
         * Release once fenced. Reached from {@link #fencing()} in the same turn; as a phase of its own only for an
         * incident persisted in {@code fenced} by an earlier version.
         */
        private Decision<IncidentAction> fenced() {
            Optional<Decision<IncidentAction>> unsafe = unsafeToRelease();
            if (unsafe.isPresent()) {
                return unsafe.get();
            }
            if (nodeIsBack()) {
                // Nothing was released: the pod on the node is still the only one, so lifting the fence gives the
                // database back where it ran (a storage fence makes it fail its I/O until then).
                return abort("node " + node + " came back after the fence was confirmed, before anything was released ("
                        + backBecause() + "): lifting the fence", new Unfence(node, data.get(FENCE_DRIVER)));
            }
            List<IncidentAction> actions = new ArrayList<>();
            if (settings.outOfServiceTaint()) {
                actions.add(new TaintOutOfService(node));
            }
            for (IncidentAction delete : forceDeletes()) {
                ForceDeletePod pod = (ForceDeletePod) delete;
                actions.add(pod);
                actions.add(new Announce("Pod", pod.namespace(), pod.pod(), "ForceDeleted", "pgwarden force-deleted"
                        + " this pod (uid " + pod.uid() + ") of node " + node + ", fenced by " + data.get(FENCE_DRIVER),
                        true));
            }
            return enter(RELEASING, "releasing " + String.join(", ", databases()) + " from node " + node, actions,
                    now);
        }

        private Decision<IncidentAction> releasing() {
            Optional<Decision<IncidentAction>> unsafe = unsafeToRelease();
            if (unsafe.isPresent()) {
                return unsafe.get();
            }
            List<IncidentAction> deletes = forceDeletes();
            List<String> attachments = databases().stream().map(this::database).flatMap(Optional::stream)
                    .flatMap(db -> db.attachmentsOnNode().stream()).toList();
            if (deletes.isEmpty() && attachments.isEmpty()) {
                List<IncidentAction> actions = new ArrayList<>();
                for (String key : databases()) {
                    String[] ns = key.split("/", 2);
                    actions.add(new Announce("StatefulSet", ns[0], ns[1], "Released", "pgwarden force-deleted pod "
                            + podName(key) + " of fenced node " + node + "; its volumes are detached", false));
                }
                return enter(RECOVERING, "recovering " + String.join(", ", databases()), actions, now);
            }
            if (now.isAfter(started(RELEASING).plus(settings.releaseTimeout()))) {
                return fail("release from node " + node + " not done within " + settings.releaseTimeout() + ": "
                        + deletes.size() + " pods still there, " + attachments.size()
                        + " volumes still attached to the node");
            }
            if (!deletes.isEmpty()) {
                return Decision.<IncidentAction>act(RELEASING, "force-deleting the pods of " + node, deletes)
                        .remembering(data);
            }
            String step = "waiting for " + attachments.size() + " volumes to detach from node " + node;
            if (!settings.outOfServiceTaint()) {
                List<IncidentAction> detach = attachments.stream()
                        .<IncidentAction>map(IncidentAction.DeleteVolumeAttachment::new).toList();
                return new Decision<>(detach, List.of(), Decision.Next.WAIT, RELEASING, data,
                        step + " (VolumeAttachments deleted: no out-of-service taint on this cluster)", settings.poll(),
                        null);
            }
            return waiting(RELEASING, step, settings.poll());
        }

        private Decision<IncidentAction> recovering() {
            List<String> waitingFor = new ArrayList<>();
            List<IncidentAction> actions = new ArrayList<>();
            for (String key : databases()) {
                if (data.containsKey(RECOVERED_AT + key)) {
                    continue;
                }
                Optional<DatabaseSeen> db = database(key);
                Optional<PodSeen> pod = db.flatMap(DatabaseSeen::current)
                        .filter(p -> !p.uid().equals(podUid(key)) && !node.equals(p.node()));
                if (pod.isEmpty()) {
                    waitingFor.add("a new pod of " + key);
                } else if (!pod.get().ready()) {
                    waitingFor.add(pod.get().name() + " Ready on " + pod.get().node());
                } else if (db.get().write().isEmpty() || db.get().write().get().problem().isPresent()) {
                    waitingFor.add(key + " to accept a write" + db.get().write().flatMap(IncidentView.WriteCheck::problem)
                            .map(p -> " (" + p + ")").orElse(""));
                } else {
                    data.put(RECOVERED_AT + key, now.toString());
                    String[] ns = key.split("/", 2);
                    actions.add(new Announce("StatefulSet", ns[0], ns[1], "Recovered", key + " accepts writes on node "
                            + pod.get().node() + ", " + Duration.between(started(SUSPECTED), now).toMillis()
                            + " ms after node " + node + " was suspected", false));
                }
            }
            if (waitingFor.isEmpty()) {
                for (String key : databases()) {
                    String[] ns = key.split("/", 2);
                    actions.add(new ReleaseLock(ns[0], ns[1]));
                }
                data.put(OUTCOME, "recovered " + String.join(", ", databases()) + " from node " + node + " in "
                        + Duration.between(started(SUSPECTED), now).toMillis() + " ms from suspicion to writes");
                return enter(RECOVERED, data.get(OUTCOME), actions, now);
            }
            if (now.isAfter(started(RELEASING).plus(settings.recoveryTimeout()))) {
                return fail("not recovered within " + settings.recoveryTimeout() + " of the release: waiting for "
                        + String.join(", ", waitingFor) + " (node " + node + " stays fenced)");
            }
            Decision<IncidentAction> wait = waiting(RECOVERING, "waiting for " + String.join(", ", waitingFor),
                    settings.poll());
            return actions.isEmpty() ? wait : new Decision<>(actions, List.of(), Decision.Next.WAIT, RECOVERING, data,
                    wait.step(), settings.poll(), null);
        }

        /** A final phase: give back any lock still held, then end. */
        private Decision<IncidentAction> finish() {
            List<IncidentAction> release = heldLocks();
            if (!release.isEmpty()) {
                return Decision.<IncidentAction>act(op.phase(), "giving back the databases' locks", release)
                        .remembering(data);
            }
            String outcome = data.getOrDefault(OUTCOME, op.phase());
            return FAILED.equals(op.phase()) ? Decision.fail(outcome) : Decision.succeed(outcome);
        }

        // ---- steps shared by phases ----

        private Decision<IncidentAction> enter(String phase, String step, List<IncidentAction> actions, Instant at) {
            data.putIfAbsent(AT + phase, at.toString());
            return new Decision<>(actions, List.of(activity(phase, step)), Decision.Next.CONTINUE, phase, data, step,
                    null, null);
        }

        private Activity activity(String phase, String step) {
            return new Activity(node, "Incident" + Character.toUpperCase(phase.charAt(0)) + phase.substring(1),
                    !List.of(SUSPECTED, ABORTED).contains(phase), step);
        }

        private Decision<IncidentAction> waiting(String phase, String step, Duration recheck) {
            Duration in = recheck.isNegative() || recheck.isZero() ? settings.poll() : recheck;
            return Decision.<IncidentAction>waitFor(phase, step, in).remembering(data);
        }

        private Decision<IncidentAction> abort(String why, IncidentAction... also) {
            data.put(OUTCOME, why);
            List<IncidentAction> actions = new ArrayList<>(Arrays.asList(also));
            actions.addAll(heldLocks());
            actions.add(announceNode("IncidentAborted", why, false));
            return enter(ABORTED, why, actions, now);
        }

        private Decision<IncidentAction> fail(String why) {
            data.put(OUTCOME, why);
            List<IncidentAction> actions = new ArrayList<>(heldLocks());
            actions.add(announceNode("FailoverFailed", why, true));
            Decision<IncidentAction> d = enter(FAILED, why, actions, now);
            Activity alert = new Activity(node, "FailoverAlert", false, "incident " + op.id() + " failed: " + why);
            return new Decision<>(d.actions(), List.of(d.activities().get(0), alert), d.next(), d.phase(), d.data(),
                    d.step(), null, null);
        }

        /**
         * Before each destructive step, in this observation: the fence still confirmed. Once a release began, a node
         * that comes back changes nothing: the fence keeps it off the storage, and the pods are already going.
         */
        private Optional<Decision<IncidentAction>> unsafeToRelease() {
            FenceStatus status = view.fence().status();
            if (status.state() != FenceStatus.State.FENCED) {
                return Optional.of(fail("the fence of node " + node + " is no longer confirmed (" + status.detail()
                        + "); releasing stopped"));
            }
            return Optional.empty();
        }

        /** The pods the incident saw that are still there, each deleted on its UID. */
        private List<IncidentAction> forceDeletes() {
            List<IncidentAction> deletes = new ArrayList<>();
            for (String key : databases()) {
                Optional<PodSeen> pod = database(key).flatMap(DatabaseSeen::podOnNode)
                        .filter(p -> p.uid().equals(podUid(key)));
                pod.ifPresent(p -> deletes.add(new ForceDeletePod(key.split("/", 2)[0], p.name(), p.uid())));
            }
            return deletes;
        }

        private List<IncidentAction> heldLocks() {
            List<IncidentAction> release = new ArrayList<>();
            for (DatabaseSeen db : view.databases()) {
                if (db.lock().state() == Lock.State.MINE) {
                    release.add(new ReleaseLock(db.namespace(), db.name()));
                }
            }
            return release;
        }

        private boolean nodeIsBack() {
            Instant renewed = view.node().leaseRenewedAt();
            boolean renewedSince = renewed != null
                    && (incident.leaseRenewedAt() == null || renewed.isAfter(incident.leaseRenewedAt()));
            return renewedSince || view.node().liveness().map(l -> l == NodeLiveness.ALIVE).orElse(false);
        }

        private String backBecause() {
            Instant renewed = view.node().leaseRenewedAt();
            return renewed != null && (incident.leaseRenewedAt() == null || renewed.isAfter(incident.leaseRenewedAt()))
                    ? "its lease was renewed at " + renewed : "node-watcher reports it alive";
        }

        private Optional<String> confirmation() {
            if (view.node().powerState().map("Off"::equalsIgnoreCase).orElse(false)) {
                return Optional.of("the BMC reports PowerState Off");
            }
            Instant due = started(SUSPECTED).plus(settings.confirmAfter());
            if (!now.isBefore(due)) {
                return Optional.of("silent for " + settings.confirmAfter() + " since it was suspected"
                        + view.node().liveness().map(l -> " (node-watcher: " + l + ")").orElse(""));
            }
            return Optional.empty();
        }

        private boolean isStorm(int unhealthy, int known) {
            if (known == 0) {
                return true;
            }
            boolean share = (double) unhealthy / known > settings.stormMaxShare();
            boolean count = settings.stormMaxNodes() > 0 && unhealthy > settings.stormMaxNodes();
            return share || count;
        }

        /**
         * The last moment the node can have died: it was silent when it was suspected, and a live kubelet renews
         * again a quarter of its lease's duration later, 4 % jitter at most (kubernetes {@code pkg/kubelet/kubelet.go},
         * {@code nodeLeaseRenewIntervalFraction = 0.25}; {@code JitterUntil(..., 0.04, ...)} in
         * {@code staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go}).
         */
        private Instant latestDeath() {
            Instant suspected = started(SUSPECTED);
            if (incident.leaseRenewedAt() == null || view.node().leaseDuration().isEmpty()) {
                return suspected;
            }
            Instant renewalDue = incident.leaseRenewedAt().plus(view.node().leaseDuration().get().multipliedBy(26)
                    .dividedBy(100));
            return renewalDue.isBefore(suspected) ? renewalDue : suspected;
        }

        private String stormLimit() {
            return Math.round(settings.stormMaxShare() * 100) + "%"
                    + (settings.stormMaxNodes() > 0 ? " or " + settings.stormMaxNodes() + " nodes" : "");
        }

        /** The databases failover acts on: managed, one replica, failover not disabled, a pod on the node. */
        private List<DatabaseSeen> affected() {
            return view.databases().stream().filter(db -> db.podOnNode().isPresent() && db.replicas() == 1
                    && !db.failoverDisabled()).toList();
        }

        /** Databases on the node that failover leaves alone, and why, for the record. */
        private String leftAlone() {
            Map<String, String> skipped = new LinkedHashMap<>();
            for (DatabaseSeen db : view.databases()) {
                if (db.stoppedHere()) {
                    skipped.put(db.key(), "stopped by pgwarden (planned outage)");
                }
                if (db.podOnNode().isEmpty()) {
                    continue;
                }
                if (db.failoverDisabled()) {
                    skipped.put(db.key(), "pgwarden.io/failover: disabled");
                } else if (db.replicas() != 1) {
                    skipped.put(db.key(), "replicas " + db.replicas() + ", not 1");
                }
            }
            return skipped.isEmpty() ? "" : "; left alone: " + skipped.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
        }

        private List<String> databases() {
            String list = data.getOrDefault(DATABASES, "");
            return list.isEmpty() ? List.of() : List.of(list.split(","));
        }

        private Optional<DatabaseSeen> database(String key) {
            return view.databases().stream().filter(db -> db.key().equals(key)).findFirst();
        }

        private String podName(String key) {
            return data.getOrDefault(POD + key, "?/?").split("/", 2)[0];
        }

        private String podUid(String key) {
            return data.getOrDefault(POD + key, "?/?").split("/", 2)[1];
        }

        private Instant started(String phase) {
            String at = data.get(AT + phase);
            return at == null ? now : Instant.parse(at);
        }

        private Announce announceNode(String reason, String message, boolean warning) {
            return new Announce("Node", null, node, reason, message, warning);
        }
    }
}
