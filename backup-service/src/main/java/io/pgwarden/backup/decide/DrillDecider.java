package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.DrillView.AnswerSeen;
import io.pgwarden.backup.decide.DrillView.PodSeen;
import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.ClaimSeen;
import io.pgwarden.backup.decide.RestoreView.JobSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;
import io.pgwarden.backup.decide.RestoreView.StatefulSetSeen;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A restore drill (docs/backups.md, "Restore drills") as phases: checks → restoring (scratch claims from the backup's
 * snapshots) → preparing (online: the restore's helper Job writes backup_label, the WAL tail and the recovery target)
 * → starting (a throw-away PostgreSQL on the scratch claims; Ready, answering {@code SELECT 1} out of recovery, at
 * least at the stop LSN, the schedule's SQL check returning a row) → cleaning (pod, Job and claims deleted, found by
 * the drill's label) → verified or failed. The result is recorded on the backup before the cleanup, and the cleanup
 * runs in every outcome. The restore time (the drill's start to accepting queries) is held to the database's
 * recovery-time objective: over it, the backup is verified and an alert is raised.
 */
public final class DrillDecider {
    public static final String RESTORING = "restoring";
    public static final String PREPARING = "preparing";
    public static final String STARTING = "starting";
    public static final String CLEANING = "cleaning";
    public static final String DONE = "done";

    /** Labels what a drill makes with its id (the operation's), to find it again after a restart. */
    public static final String DRILL_LABEL = "pgwarden.io/drill";

    static final String SCRATCH = "scratch.";
    static final String SNAPSHOT = "snapshot.";
    static final String SPEC = "spec.";
    static final String WAL_SCRATCH = "walScratch";
    static final String STARTED = "startedAt";
    static final String OBJECTIVE = "objectiveMillis";
    static final String AT = "at.";

    private DrillDecider() {
    }

    /** The throw-away pod of a drill. */
    public static String pod(String drillId) {
        return "drill-" + RestoreDecider.shortId(drillId);
    }

    /** The scratch claim restored from a database claim's snapshot. */
    public static String scratchClaim(String drillId, String claim) {
        return pod(drillId) + "-" + claim;
    }

    public static String helperJob(String drillId) {
        return pod(drillId) + "-prepare";
    }

    /** Whether the observation should include the throw-away database's answers: its pod is Ready and the drill waits. */
    public static boolean wantsDatabase(Operation op, DrillView view) {
        return STARTING.equals(op.phase()) && Optional.ofNullable(view.pods().get(pod(op.id())))
                .filter(p -> p.ready() && !p.terminating()).isPresent();
    }

    public static Decision<DrillAction> decide(Operation op, VerifyBackup command, DrillView view, Instant now,
                                               DrillSettings settings) {
        Turn turn = new Turn(op, command, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.start();
            case RESTORING -> turn.restoring();
            case PREPARING -> turn.preparing();
            case STARTING -> turn.starting();
            case CLEANING -> turn.cleaning();
            case DONE -> turn.end();
            default -> Decision.fail("unknown phase " + op.phase() + " of a drill");
        };
    }

    /** An ISO-8601 duration ({@code PT5M}), the objective; empty when it is no positive one. */
    static Optional<Duration> objective(String text) {
        try {
            Duration d = Duration.parse(text.trim());
            return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static final class Turn {
        private final Operation op;
        private final String namespace;
        private final String name;
        private final String key;
        private final String backupId;
        private final String drillId;
        private final DrillView view;
        private final Instant now;
        private final DrillSettings settings;
        private final Map<String, String> data;

        Turn(Operation op, VerifyBackup command, DrillView view, Instant now, DrillSettings settings) {
            this.op = op;
            this.namespace = command.namespace();
            this.name = command.cluster();
            this.key = namespace + "/" + name;
            this.backupId = command.backupId();
            this.drillId = op.id();
            this.view = view;
            this.now = now;
            this.settings = settings;
            this.data = new HashMap<>(op.data());
        }

        // ---- checks ----

        Decision<DrillAction> start() {
            if (view.statefulSet().isEmpty()) {
                return reject("no StatefulSet " + name + " in namespace " + namespace
                        + ": no such database (check the namespace and the name)");
            }
            StatefulSetSeen sts = view.statefulSet().get();
            if (!sts.managed()) {
                return reject("StatefulSet " + key + " is not managed by pgwarden: label it " + Names.MANAGED_LABEL
                        + "=true first");
            }
            Duration objective = settings.defaultRto();
            Optional<String> annotated = sts.annotation(Names.RECOVERY_TIME_OBJECTIVE_ANNOTATION);
            if (annotated.isPresent()) {
                Optional<Duration> parsed = objective(annotated.get());
                if (parsed.isEmpty()) {
                    return reject("the annotation " + Names.RECOVERY_TIME_OBJECTIVE_ANNOTATION + "=" + annotated.get()
                            + " of " + key + " is not a positive ISO-8601 duration: write it as PT5M or PT30S");
                }
                objective = parsed.get();
            }
            if (view.backup().isEmpty()) {
                return reject("no backup " + backupId + " in the catalog: list the database's backups with GET"
                        + " /api/v1/clusters/" + namespace + "/" + name + "/backups and pick one");
            }
            BackupSeen backup = view.backup().get();
            if (!backup.namespace().equals(namespace) || !backup.cluster().equals(name)) {
                return reject("backup " + backupId + " is of " + backup.namespace() + "/" + backup.cluster()
                        + ", not of " + key);
            }
            if (!"completed".equals(backup.phase())) {
                return reject("backup " + backupId + " is " + backup.phase() + backup.error().map(e -> " (" + e + ")")
                        .orElse("") + ", not completed: only a completed backup can be drilled; pick another one");
            }
            if ("rbd".equals(backup.driver())) {
                return reject("backup " + backupId + " was taken with the rbd driver: drills of rbd backups are not"
                        + " built yet; drill a backup taken with the csi driver");
            }
            List<SnapshotSeen> dataSnapshots = backup.ofRole("data");
            if (dataSnapshots.isEmpty()) {
                return reject("backup " + backupId + " records no snapshot of role data: there is nothing to restore");
            }
            Optional<SnapshotSeen> tail = backup.ofRole("wal-tail").stream().findFirst();
            if (backup.online() && (backup.stopLsn().isEmpty() || backup.backupLabel().isEmpty() || tail.isEmpty())) {
                return reject("online backup " + backupId + " lacks its stop LSN, backup_label or wal-tail snapshot:"
                        + " it cannot be recovered");
            }
            boolean separateWal = dataSnapshots.size() > 1;
            List<DrillAction> actions = new ArrayList<>();
            Map<String, String> scratchFor = new LinkedHashMap<>();
            for (SnapshotSeen s : dataSnapshots) {
                ClaimSeen claim = view.claims().get(s.claim());
                if (claim == null) {
                    return reject("claim " + s.claim() + " of backup " + backupId + " is not in namespace " + namespace
                            + ": the drill takes the scratch claims' class and size from it");
                }
                String snapshot = backup.online() && separateWal && s.holdsWal() ? tail.get().snapshot() : s.snapshot();
                Optional<String> unusable = unusable(snapshot);
                if (unusable.isPresent()) {
                    return reject(unusable.get());
                }
                String scratch = scratchClaim(drillId, s.claim());
                scratchFor.put(s.claim(), scratch);
                data.put(SCRATCH + s.claim(), scratch);
                data.put(SNAPSHOT + scratch, snapshot);
                data.put(SPEC + scratch, claim.storageClass() + "|" + String.join(";", claim.accessModes()) + "|"
                        + larger(claim.size(), s.restoreSize()));
            }
            if (backup.online() && !separateWal) {
                Optional<String> unusable = unusable(tail.get().snapshot());
                if (unusable.isPresent()) {
                    return reject(unusable.get());
                }
                String scratch = scratchClaim(drillId, "wal-tail");
                String first = scratchFor.values().iterator().next();
                data.put(WAL_SCRATCH, scratch);
                data.put(SNAPSHOT + scratch, tail.get().snapshot());
                data.put(SPEC + scratch, data.get(SPEC + first));
            }
            data.put(STARTED, now.toString());
            data.put(OBJECTIVE, String.valueOf(objective.toMillis()));
            for (String scratch : scratchClaims()) {
                actions.add(createClaim(scratch));
            }
            return enter(RESTORING, "DrillRestoring", "drill of backup " + backupId + " of " + key + ": restoring "
                    + String.join(", ", scratchClaims()) + " from its snapshots (objective " + objective + ")", actions);
        }

        private Optional<String> unusable(String snapshot) {
            Boolean ready = view.snapshots().get(snapshot);
            return Boolean.TRUE.equals(ready) ? Optional.empty() : Optional.of("VolumeSnapshot " + namespace + "/"
                    + snapshot + " of backup " + backupId + (ready == null ? " is gone" : " is not ready to use")
                    + ": the backup cannot be drilled");
        }

        // ---- restore ----

        Decision<DrillAction> restoring() {
            List<DrillAction> actions = new ArrayList<>();
            List<String> waitingFor = new ArrayList<>();
            for (String scratch : scratchClaims()) {
                ClaimSeen seen = view.scratch().get(scratch);
                if (seen == null) {
                    if (!Boolean.TRUE.equals(view.snapshots().get(data.get(SNAPSHOT + scratch)))) {
                        return failure(unusable(data.get(SNAPSHOT + scratch)).orElseThrow());
                    }
                    actions.add(createClaim(scratch));
                    waitingFor.add("claim " + scratch + " restored from VolumeSnapshot " + data.get(SNAPSHOT + scratch));
                } else if (!seen.bound()) {
                    waitingFor.add("claim " + scratch + " to be bound");
                }
            }
            if (waitingFor.isEmpty()) {
                BackupSeen backup = view.backup().orElse(null);
                if (backup == null) {
                    return failure("the backup's catalog row is gone");
                }
                if (backup.online()) {
                    return enter(PREPARING, "DrillPreparing", "writing backup_label and the recovery target (stop LSN "
                            + backup.stopLsn().orElseThrow() + ") into the scratch data directory",
                            List.of(prepare(backup)));
                }
                return enter(STARTING, "DrillStarting", "starting a throw-away PostgreSQL on the scratch claims",
                        List.of(createPod()));
            }
            if (past(entered(RESTORING), settings.claimTimeout())) {
                return failure("the scratch claims were not restored within " + settings.claimTimeout()
                        + ": still waiting for " + String.join(", ", waitingFor));
            }
            return waiting("waiting for " + String.join(", ", waitingFor) + lasting(entered(RESTORING)), actions);
        }

        private DrillAction prepare(BackupSeen backup) {
            StatefulSetSeen sts = view.statefulSet().orElseThrow();
            Map<String, String> scratchFor = scratchFor();
            return new DrillAction.Prepare(RecoveryPreparation.job(namespace, helperJob(drillId), sts.image(),
                    sts.pgdata(), backup, scratchFor, data.get(WAL_SCRATCH), DRILL_LABEL, drillId));
        }

        Decision<DrillAction> preparing() {
            Optional<JobSeen> job = Optional.ofNullable(view.jobs().get(helperJob(drillId)));
            if (job.isPresent() && job.get().succeeded()) {
                List<DrillAction> actions = new ArrayList<>();
                actions.add(new DrillAction.DeleteJob(namespace, job.get().name()));
                actions.add(createPod());
                return enter(STARTING, "DrillStarting", "starting a throw-away PostgreSQL on the scratch claims",
                        actions);
            }
            if (job.isPresent() && job.get().failed()) {
                return failure("the helper Job " + job.get().name() + " failed: " + job.get().message());
            }
            if (past(entered(PREPARING), settings.jobTimeout())) {
                return failure("the helper Job " + helperJob(drillId) + " did not finish within "
                        + settings.jobTimeout());
            }
            if (view.statefulSet().isEmpty() || view.backup().isEmpty()) {
                return failure("the StatefulSet or the backup's catalog row is gone");
            }
            List<DrillAction> again = job.isPresent() ? List.of() : List.of(prepare(view.backup().get()));
            return waiting("waiting for the helper Job " + helperJob(drillId) + lasting(entered(PREPARING)), again);
        }

        // ---- start and check ----

        Decision<DrillAction> starting() {
            String podName = pod(drillId);
            PodSeen pod = view.pods().get(podName);
            if (pod == null) {
                if (view.statefulSet().isEmpty()) {
                    return failure("StatefulSet " + key + " was deleted: the throw-away pod copies its template");
                }
                return waiting("creating the throw-away pod " + podName, List.of(createPod()));
            }
            if ("Failed".equals(pod.phase()) || "Succeeded".equals(pod.phase())) {
                return failure("PostgreSQL did not start on the restored data: the throw-away pod " + podName
                        + " ended (" + pod.phase() + describe(pod) + ") before it accepted queries");
            }
            if (!pod.ready() || pod.terminating()) {
                if (past(entered(STARTING), settings.readyTimeout())) {
                    return failure("PostgreSQL did not start on the restored data: the throw-away pod " + podName
                            + " was not Ready within " + settings.readyTimeout() + " (" + pod.phase()
                            + Optional.ofNullable(pod.node()).map(n -> " on node " + n).orElse("") + describe(pod) + ")");
                }
                return waiting("waiting for the throw-away pod " + podName + " Ready" + describe(pod)
                        + lasting(entered(STARTING)));
            }
            data.putIfAbsent("readyAt", now.toString());
            AnswerSeen answer = view.database().orElse(new AnswerSeen(Optional.of("not asked yet"), true,
                    Optional.empty(), Optional.empty()));
            Optional<String> notYet = answer.problem().map(p -> "an answer to SELECT 1 (" + p + ")")
                    .or(() -> answer.inRecovery() ? Optional.of("the end of recovery"
                            + answer.replayLsn().map(l -> " (replayed to " + l + ")").orElse("")) : Optional.empty());
            if (notYet.isPresent()) {
                if (past(since("readyAt"), settings.queryTimeout())) {
                    return failure("the throw-away PostgreSQL on the restored data was Ready but gave no "
                            + notYet.get() + " within " + settings.queryTimeout());
                }
                return waiting("waiting for " + notYet.get() + " from the throw-away pod " + podName
                        + lasting(since("readyAt")));
            }
            long restoreMillis = Duration.between(since(STARTED), now).toMillis();
            BackupSeen backup = view.backup().orElse(null);
            if (backup != null && backup.online()) {
                String stop = backup.stopLsn().orElseThrow();
                Optional<String> replayed = answer.replayLsn();
                if (replayed.isEmpty() || RestoreDecider.lsn(replayed.get()) < RestoreDecider.lsn(stop)) {
                    return failure("recovery of the restored data ended at " + replayed.orElse("no recovery")
                            + ", before the backup's stop LSN " + stop, restoreMillis);
                }
                data.put("replayed", replayed.get());
            }
            if (answer.sqlProblem().isPresent()) {
                return failure("the SQL check of the backup schedule failed: " + answer.sqlProblem().get(),
                        restoreMillis);
            }
            return verified(restoreMillis);
        }

        private Decision<DrillAction> verified(long restoreMillis) {
            long objective = Long.parseLong(data.get(OBJECTIVE));
            boolean over = restoreMillis > objective;
            String outcome = "backup " + backupId + " of " + key + " verified: a throw-away PostgreSQL on its restored"
                    + " snapshots accepted queries " + restoreMillis + " ms after the drill started"
                    + Optional.ofNullable(data.get("replayed")).map(l -> ", recovered to " + l).orElse("")
                    + view.sql().map(s -> ", the SQL check returned a row").orElse("")
                    + (over ? ", OVER the recovery-time objective of " + Duration.ofMillis(objective)
                    : " (objective " + Duration.ofMillis(objective) + ")");
            List<DrillAction> actions = new ArrayList<>();
            actions.add(new DrillAction.RecordVerification(namespace, name, backupId, true, null, restoreMillis,
                    objective, drillMillis()));
            List<Activity> activities = new ArrayList<>();
            activities.add(new Activity(key, "BackupVerified", true, outcome));
            if (over) {
                String alert = "restore drill of backup " + backupId + " of " + key + " took " + restoreMillis
                        + " ms to accepting queries, over the recovery-time objective of " + Duration.ofMillis(objective)
                        + " (" + objective + " ms); the backup itself is good";
                actions.add(new DrillAction.Announce(namespace, name, "DrillOverObjective", alert, true));
                activities.add(new Activity(key, "DrillOverObjective", false, alert));
            }
            return cleanup(outcome, false, actions, activities);
        }

        // ---- failure and cleanup ----

        private Decision<DrillAction> failure(String reason) {
            return failure(reason, null);
        }

        private Decision<DrillAction> failure(String reason, Long restoreMillis) {
            String outcome = "backup " + backupId + " of " + key + " failed its drill: " + reason;
            List<DrillAction> actions = new ArrayList<>();
            actions.add(new DrillAction.RecordVerification(namespace, name, backupId, false, reason, restoreMillis,
                    Long.parseLong(data.getOrDefault(OBJECTIVE, String.valueOf(settings.defaultRto().toMillis()))),
                    drillMillis()));
            actions.add(new DrillAction.Announce(namespace, name, "DrillFailed", outcome, true));
            return cleanup(outcome, true, actions, List.of(new Activity(key, "DrillFailed", false, outcome)));
        }

        private Decision<DrillAction> cleanup(String outcome, boolean failed, List<DrillAction> actions,
                                              List<Activity> activities) {
            data.put("outcome", outcome);
            data.put("failed", String.valueOf(failed));
            data.putIfAbsent(AT + CLEANING, now.toString());
            List<DrillAction> all = new ArrayList<>(actions);
            all.addAll(deletions());
            return new Decision<>(all, activities, Decision.Next.CONTINUE, CLEANING, data, "cleaning up: " + outcome,
                    null, null);
        }

        private List<DrillAction> deletions() {
            List<DrillAction> deletes = new ArrayList<>();
            DrillView.sorted(view.pods()).forEach(p -> deletes.add(new DrillAction.DeletePod(namespace, p)));
            DrillView.sorted(view.jobs()).forEach(j -> deletes.add(new DrillAction.DeleteJob(namespace, j)));
            DrillView.sorted(view.scratch()).forEach(c -> deletes.add(new DrillAction.DeleteClaim(namespace, c)));
            return deletes;
        }

        Decision<DrillAction> cleaning() {
            String outcome = data.getOrDefault("outcome", "the drill ended");
            if (!view.leftovers()) {
                return enter(DONE, "DrillCleanedUp", "removed the drill's pod, Job and scratch claims", List.of());
            }
            String left = String.join(", ", concat(view.pods(), "pod ", view.jobs(), "Job ", view.scratch(), "claim "));
            if (past(entered(CLEANING), settings.cleanupTimeout())) {
                data.put("outcome", outcome + "; the cleanup did not finish within " + settings.cleanupTimeout()
                        + ", left: " + left);
                data.put("failed", "true");
                return enter(DONE, "DrillCleanupIncomplete", "the drill's cleanup left " + left, List.of(
                        new DrillAction.Announce(namespace, name, "DrillCleanupIncomplete", "pgwarden: drill of backup "
                                + backupId + " left " + left + ": delete them by label " + DRILL_LABEL + "=" + drillId,
                                true)));
            }
            return new Decision<>(deletions(), List.of(), Decision.Next.WAIT, CLEANING, data, "waiting for " + left
                    + " to go" + lasting(entered(CLEANING)), settings.poll(), null);
        }

        Decision<DrillAction> end() {
            String outcome = data.getOrDefault("outcome", "the drill ended");
            return Boolean.parseBoolean(data.get("failed")) ? Decision.fail(outcome) : Decision.succeed(outcome);
        }

        // ---- common ----

        private List<String> scratchClaims() {
            List<String> all = new ArrayList<>(scratchFor().values());
            if (data.containsKey(WAL_SCRATCH)) {
                all.add(data.get(WAL_SCRATCH));
            }
            return all;
        }

        /** Database claim -> its scratch claim, in a stable order. */
        private Map<String, String> scratchFor() {
            Map<String, String> map = new LinkedHashMap<>();
            data.keySet().stream().filter(k -> k.startsWith(SCRATCH)).sorted()
                    .forEach(k -> map.put(k.substring(SCRATCH.length()), data.get(k)));
            return map;
        }

        private DrillAction createClaim(String scratch) {
            String[] spec = data.get(SPEC + scratch).split("\\|", -1);
            return new DrillAction.CreateScratchClaim(namespace, scratch, data.get(SNAPSHOT + scratch),
                    spec[0].equals("null") ? null : spec[0], List.of(spec[1].split(";")), spec[2], backupId, drillId);
        }

        private DrillAction createPod() {
            return new DrillAction.CreatePod(namespace, pod(drillId), name, scratchFor(), backupId, drillId);
        }

        private static String describe(PodSeen pod) {
            return (pod.restarts() > 0 ? ", restarted " + pod.restarts() + " times" : "")
                    + (pod.state() == null ? "" : ", " + pod.state());
        }

        private static List<String> concat(Map<String, ?> pods, String podWord, Map<String, ?> jobs, String jobWord,
                                           Map<String, ?> claims, String claimWord) {
            List<String> all = new ArrayList<>();
            DrillView.sorted(pods).forEach(p -> all.add(podWord + p));
            DrillView.sorted(jobs).forEach(j -> all.add(jobWord + j));
            DrillView.sorted(claims).forEach(c -> all.add(claimWord + c));
            return all;
        }

        private Decision<DrillAction> reject(String reason) {
            return Decision.reject(reason, new Activity(key, "DrillRejected", false, reason));
        }

        private Decision<DrillAction> enter(String phase, String action, String step, List<DrillAction> actions) {
            data.putIfAbsent(AT + phase, now.toString());
            return new Decision<>(actions, List.of(new Activity(key, action, true, step)), Decision.Next.CONTINUE,
                    phase, data, step, null, null);
        }

        private Decision<DrillAction> waiting(String step) {
            return waiting(step, List.of());
        }

        private Decision<DrillAction> waiting(String step, List<DrillAction> actions) {
            return new Decision<>(actions, List.of(), Decision.Next.WAIT, op.phase(), data, step, settings.poll(), null);
        }

        private long drillMillis() {
            return Duration.between(since(STARTED), now).toMillis();
        }

        private Instant since(String dataKey) {
            String at = data.get(dataKey);
            return at == null ? now : Instant.parse(at);
        }

        private Instant entered(String phase) {
            return since(AT + phase);
        }

        private boolean past(Instant from, Duration limit) {
            return now.isAfter(from.plus(limit));
        }

        private String lasting(Instant from) {
            long seconds = Duration.between(from, now).toSeconds();
            long step = seconds < 10 ? 1 : seconds < 60 ? 5 : 30;
            return ", " + seconds / step * step + " s";
        }

        private static String larger(String request, Long restoreSize) {
            return restoreSize != null && (request == null || Quantities.bytes(request) < restoreSize)
                    ? String.valueOf(restoreSize) : request;
        }
    }
}
