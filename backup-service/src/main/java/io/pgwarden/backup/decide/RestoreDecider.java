package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.RestoreAction.Annotate;
import io.pgwarden.backup.decide.RestoreAction.Announce;
import io.pgwarden.backup.decide.RestoreAction.Scale;
import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.ClaimSeen;
import io.pgwarden.backup.decide.RestoreView.DatabaseSeen;
import io.pgwarden.backup.decide.RestoreView.JobSeen;
import io.pgwarden.backup.decide.RestoreView.PodSeen;
import io.pgwarden.backup.decide.RestoreView.RestoreSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;
import io.pgwarden.backup.decide.RestoreView.StatefulSetSeen;
import io.pgwarden.backup.decide.RestoreView.VolumeSeen;
import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdJobState;
import io.pgwarden.backup.rbd.RbdNames;
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A restore in place (docs/backups.md, "Restore") and its undo, as phases:
 * <ul>
 * <li>restore: checks → stopping (as StopDecider: {@code pgwarden.io/stopped-replicas}, scale to 0, pod gone, volumes
 * detached) → retaining (each volume's reclaim policy Retain) → swapping (each claim deleted and created again from
 * its snapshot) → preparing (online: the helper Job writes backup_label, the WAL tail and the recovery target) →
 * starting (scale back; Ready, a write accepted, replayed to the stop LSN) → resetting (the recovery settings) →
 * restored;</li>
 * <li>a failure after the checks puts the old volumes back: unswapping (scale to 0, new claims deleted, claims of the
 * same names bound to the retained volumes, reclaim policies as they were) → restarting → put-back, FAILED with the
 * reason and what the put-back did;</li>
 * <li>undo: checks → stopping → unswapping → restarting → put-back, SUCCEEDED.</li>
 * </ul>
 * A backup of the rbd driver is restored in the image itself (the talk's way): checks → stopping → rolling-back (per
 * image a safety snapshot {@code pgwarden-before-restore-<restore id>}, then {@code rbd snap rollback} to the backup's
 * snapshot) → starting → restored. Its put-back (unswapping) and its undo roll each image back to the safety snapshot
 * instead of swapping volumes. Online rbd backups are refused when taken, so no rbd restore needs backup_label.
 */
public final class RestoreDecider {
    public static final String STOPPING = "stopping";
    public static final String RETAINING = "retaining";
    public static final String SWAPPING = "swapping";
    public static final String PREPARING = "preparing";
    public static final String STARTING = "starting";
    public static final String RESETTING = "resetting";
    public static final String RESTORED = "restored";
    public static final String UNSWAPPING = "unswapping";
    public static final String RESTARTING = "restarting";
    public static final String PUT_BACK = "put-back";
    public static final String ROLLING_BACK = "rolling-back";

    /** Data keys: the claims swapped, and per claim its old volume, its snapshot and its spec. */
    public static final String CLAIMS = "claims";
    public static final String OLD = "old.";
    static final String POLICY = "policy.";
    static final String SNAPSHOT = "snapshot.";
    static final String SPEC = "spec.";
    static final String SCRATCH = "scratch";
    static final String REASON = "reason";
    static final String AT = "at.";
    /** Data keys of an rbd restore: set when the backup is of the rbd driver; per claim, its image's spec. */
    static final String RBD = "rbd";
    static final String IMAGE = "image.";

    /** Labels what a restore creates (its claims, its helper Job) with the restore's id. */
    public static final String RESTORE_LABEL = "pgwarden.io/restore";

    private RestoreDecider() {
    }

    public static Decision<RestoreAction> restore(Operation op, RestoreBackup command, RestoreView view, Instant now,
                                                  RestoreSettings settings) {
        Turn turn = new Turn(op, command.namespace(), command.cluster(), op.id(), false, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.startRestore(command);
            default -> turn.next();
        };
    }

    public static Decision<RestoreAction> undo(Operation op, UndoRestore command, RestoreView view, Instant now,
                                               RestoreSettings settings) {
        Turn turn = new Turn(op, command.namespace(), command.cluster(), command.restoreId(), true, view, now,
                settings);
        return switch (op.phase()) {
            case Operation.START -> turn.startUndo();
            default -> turn.next();
        };
    }

    /** Whether the observation should include the database's answers: its pod is Ready and the restore waits for them. */
    public static boolean wantsDatabase(Operation op, RestoreView view) {
        return (STARTING.equals(op.phase()) || RESTARTING.equals(op.phase()))
                && view.pod().filter(p -> p.ready() && !p.terminating() && p.node() != null).isPresent();
    }

    /** The helper Job of a restore: a DNS label from its id. */
    public static String helperJob(String restoreId) {
        return "pgwarden-restore-" + shortId(restoreId);
    }

    /** The scratch claim a single-claim online restore takes the WAL tail from. */
    public static String scratchClaim(String restoreId) {
        return helperJob(restoreId) + "-wal-tail";
    }

    static String shortId(String id) {
        String alnum = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return alnum.length() > 12 ? alnum.substring(0, 12) : alnum;
    }

    /** An LSN ({@code 16/B374D848}) as a number, to compare two. */
    static long lsn(String text) {
        String[] parts = text.trim().split("/");
        return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
    }

    private static final class Turn {
        private final Operation op;
        private final String namespace;
        private final String name;
        private final String key;
        /** The restore's id: the operation's for a restore, the command's restoreId for an undo. */
        private final String restoreId;
        private final boolean undo;
        private final RestoreView view;
        private final Instant now;
        private final RestoreSettings settings;
        private final Map<String, String> data;
        private final String label;

        Turn(Operation op, String namespace, String name, String restoreId, boolean undo, RestoreView view, Instant now,
             RestoreSettings settings) {
            this.op = op;
            this.namespace = namespace;
            this.name = name;
            this.key = namespace + "/" + name;
            this.restoreId = restoreId;
            this.undo = undo;
            this.view = view;
            this.now = now;
            this.settings = settings;
            this.data = new HashMap<>(op.data());
            this.label = undo ? "Undo" : "Restore";
        }

        Decision<RestoreAction> next() {
            return switch (op.phase()) {
                case STOPPING -> stopping();
                case RETAINING -> retaining();
                case ROLLING_BACK -> rollingBack();
                case SWAPPING -> swapping();
                case PREPARING -> preparing();
                case STARTING -> starting();
                case RESETTING -> finishing(RESTORED, "DatabaseRestored", restoredOutcome(), false, List.of(
                        new RestoreAction.RecordEnd(restoreId, false, null, millisSinceRequest()), clearStopped(),
                        announce("Restored", restoredOutcome(), false)));
                case UNSWAPPING -> unswapping();
                case RESTARTING -> restarting();
                case RESTORED, PUT_BACK -> end();
                default -> Decision.fail("unknown phase " + op.phase() + " of a " + label.toLowerCase(Locale.ROOT));
            };
        }

        // ---- checks ----

        private Optional<String> notManaged() {
            if (view.statefulSet().isEmpty()) {
                return Optional.of("no StatefulSet " + name + " in namespace " + namespace
                        + ": no such database (check the namespace and the name)");
            }
            StatefulSetSeen sts = view.statefulSet().get();
            if (!sts.managed()) {
                return Optional.of("StatefulSet " + key + " is not managed by pgwarden: label it " + Names.MANAGED_LABEL
                        + "=true first");
            }
            if (sts.replicas() != 1) {
                return Optional.of(key + " has replicas " + sts.replicas() + ", not 1: pgwarden restores only a running"
                        + " single-primary StatefulSet (replicas 1)" + (sts.replicas() == 0 ? "; start it first" : ""));
            }
            return Optional.empty();
        }

        Decision<RestoreAction> startRestore(RestoreBackup command) {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject(unusable.get());
            }
            String id = command.backupId();
            if (view.backup().isEmpty()) {
                return reject("no backup " + id + " in the catalog: list the database's backups with GET /api/v1/clusters/"
                        + namespace + "/" + name + "/backups and pick one");
            }
            BackupSeen backup = view.backup().get();
            if (!backup.namespace().equals(namespace) || !backup.cluster().equals(name)) {
                return reject("backup " + id + " is of " + backup.namespace() + "/" + backup.cluster() + ", not of " + key
                        + ": a backup restores only the database it was taken of");
            }
            if (!"completed".equals(backup.phase())) {
                return reject("backup " + id + " is " + backup.phase() + backup.error().map(e -> " (" + e + ")").orElse("")
                        + ", not completed: only a completed backup can be restored; pick another one");
            }
            List<SnapshotSeen> dataSnapshots = backup.ofRole("data");
            if (dataSnapshots.isEmpty()) {
                return reject("backup " + id + " records no snapshot of role data: there is nothing to restore");
            }
            if (backup.rbd()) {
                return startRollback(backup, dataSnapshots);
            }
            Optional<SnapshotSeen> tail = backup.ofRole("wal-tail").stream().findFirst();
            if (backup.online() && (backup.stopLsn().isEmpty() || backup.backupLabel().isEmpty() || tail.isEmpty())) {
                return reject("online backup " + id + " lacks its stop LSN, backup_label or wal-tail snapshot: it cannot"
                        + " be recovered; pick another one");
            }
            boolean separateWal = dataSnapshots.size() > 1;
            List<String> claims = new ArrayList<>();
            for (SnapshotSeen s : dataSnapshots) {
                ClaimSeen claim = view.claims().get(s.claim());
                if (claim == null || !claim.bound() || claim.volumeName() == null) {
                    return reject("claim " + s.claim() + " of backup " + id + " is not bound in namespace " + namespace
                            + ": the database's claims changed since the backup");
                }
                VolumeSeen volume = view.volumes().get(claim.volumeName());
                if (volume == null) {
                    return reject("volume " + claim.volumeName() + " of claim " + s.claim() + " is not there");
                }
                String snapshot = backup.online() && separateWal && s.holdsWal() ? tail.get().snapshot() : s.snapshot();
                if (!Boolean.TRUE.equals(view.snapshots().get(snapshot))) {
                    return reject("VolumeSnapshot " + namespace + "/" + snapshot + " of backup " + id
                            + (view.snapshots().containsKey(snapshot) ? " is not ready to use" : " is gone")
                            + ": the backup cannot be restored; pick another one");
                }
                claims.add(s.claim());
                data.put(OLD + s.claim(), claim.volumeName());
                data.put(POLICY + claim.volumeName(), volume.reclaimPolicy());
                data.put(SNAPSHOT + s.claim(), snapshot);
                data.put(SPEC + s.claim(), claim.storageClass() + "|" + String.join(";", claim.accessModes()) + "|"
                        + larger(claim.size(), s.restoreSize()));
            }
            if (backup.online() && !separateWal) {
                if (!Boolean.TRUE.equals(view.snapshots().get(tail.get().snapshot()))) {
                    return reject("VolumeSnapshot " + namespace + "/" + tail.get().snapshot() + " (the WAL tail) of backup "
                            + id + " is gone or not ready: the backup cannot be recovered; pick another one");
                }
                data.put(SCRATCH, RestoreDecider.scratchClaim(restoreId));
                data.put(SNAPSHOT + SCRATCH, tail.get().snapshot());
            }
            data.put(CLAIMS, String.join(",", claims));
            String plan = "restore " + key + " from " + backup.method() + " backup " + id + ": stop it, retain its volumes"
                    + " (" + String.join(", ", claims.stream().map(c -> c + " -> " + data.get(OLD + c)).toList())
                    + "), restore its claims from the backup's snapshots"
                    + (backup.online() ? ", write backup_label and recover to stop LSN " + backup.stopLsn().get() : "")
                    + ", start it";
            List<RestoreAction> actions = new ArrayList<>();
            actions.add(new RestoreAction.RecordStart(restoreId, id, namespace, name));
            actions.addAll(stopActions());
            actions.add(announce("Restoring", "pgwarden: " + plan, false));
            return enter(STOPPING, "RestoreStopping", "stopping " + key + " to restore backup " + id, actions);
        }

        /** Checks an rbd backup's images against the claims' images now, then stops the database. */
        private Decision<RestoreAction> startRollback(BackupSeen backup, List<SnapshotSeen> dataSnapshots) {
            if (backup.online()) {
                return reject("backup " + backup.id() + " is an online backup of the rbd driver, which a rollback cannot"
                        + " recover (it needs its WAL tail too): restore a cold or crash-consistent one");
            }
            List<String> claims = new ArrayList<>();
            for (SnapshotSeen s : dataSnapshots) {
                String image = RbdImage.ofSnapshotSpec(s.snapshot()).spec();
                String now = view.rbdImages().get(s.claim());
                if (!image.equals(now)) {
                    return reject("claim " + namespace + "/" + s.claim() + " is " + (now == null
                            ? "not bound to an RBD image" : "on RBD image " + now) + ", not on " + image + ", which"
                            + " backup " + backup.id() + " snapshotted: a rollback restores only the image itself;"
                            + " the database's claims changed since the backup");
                }
                claims.add(s.claim());
                data.put(IMAGE + s.claim(), image);
                data.put(SNAPSHOT + s.claim(), s.snapshot());
            }
            data.put(RBD, "true");
            data.put(CLAIMS, String.join(",", claims));
            String plan = "restore " + key + " from " + backup.method() + " backup " + backup.id() + " in place: stop"
                    + " it, take a safety snapshot " + RbdNames.safetySnapshot(restoreId) + " of each image, rbd snap"
                    + " rollback " + String.join(", ", claims.stream().map(c -> data.get(SNAPSHOT + c)).toList())
                    + ", start it";
            List<RestoreAction> actions = new ArrayList<>();
            actions.add(new RestoreAction.RecordStart(restoreId, backup.id(), namespace, name));
            actions.addAll(stopActions());
            actions.add(announce("Restoring", "pgwarden: " + plan, false));
            return enter(STOPPING, "RestoreStopping", "stopping " + key + " to restore backup " + backup.id(), actions);
        }

        Decision<RestoreAction> startUndo() {
            Optional<String> unusable = notManaged();
            if (unusable.isPresent()) {
                return reject(unusable.get());
            }
            if (view.restore().isEmpty()) {
                return reject("no restore " + restoreId + ": the id is a RestoreBackup command's id");
            }
            RestoreSeen restore = view.restore().get();
            if (!restore.namespace().equals(namespace) || !restore.cluster().equals(name)) {
                return reject("restore " + restoreId + " restored " + restore.namespace() + "/" + restore.cluster()
                        + ", not " + key);
            }
            if (restore.undoneAt().isPresent()) {
                return reject("restore " + restoreId + " was undone already, at " + restore.undoneAt().get());
            }
            if (!"completed".equals(restore.phase())) {
                return reject("restore " + restoreId + " is " + restore.phase() + ("failed".equals(restore.phase())
                        ? ": it put the previous volumes back itself, there is nothing to undo"
                        : ": wait until it ends"));
            }
            if (view.backup().filter(BackupSeen::rbd).isPresent()) {
                BackupSeen backup = view.backup().get();
                List<String> claims = backup.ofRole("data").stream().map(SnapshotSeen::claim).toList();
                for (SnapshotSeen s : backup.ofRole("data")) {
                    data.put(IMAGE + s.claim(), RbdImage.ofSnapshotSpec(s.snapshot()).spec());
                }
                data.put(RBD, "true");
                data.put(CLAIMS, String.join(",", claims));
                List<RestoreAction> actions = new ArrayList<>(stopActions());
                actions.add(announce("UndoingRestore", "pgwarden: undo restore " + restoreId + " of " + key
                        + ": stop it, rbd snap rollback each image to " + RbdNames.safetySnapshot(restoreId)
                        + ", start it", false));
                return enter(STOPPING, "UndoStopping", "stopping " + key + " to undo restore " + restoreId, actions);
            }
            if (restore.retained().isEmpty()) {
                return reject("restore " + restoreId + " retained no volumes: there is nothing to put back");
            }
            for (Map.Entry<String, String> e : restore.retained().entrySet()) {
                VolumeSeen volume = view.volumes().get(e.getValue());
                if (volume == null) {
                    return reject("the volume " + e.getValue() + " that claim " + e.getKey() + " had before restore "
                            + restoreId + " is gone (deleted): the restore can no longer be undone");
                }
                String ours = namespace + "/" + e.getKey();
                if ("Bound".equals(volume.phase()) && !ours.equals(volume.claimRef())) {
                    return reject("the volume " + e.getValue() + " that claim " + e.getKey() + " had before restore "
                            + restoreId + " is bound to claim " + volume.claimRef() + " now: the restore can no longer"
                            + " be undone");
                }
                data.put(OLD + e.getKey(), e.getValue());
                data.put(POLICY + e.getValue(), restore.policies().getOrDefault(e.getValue(), "Delete"));
            }
            data.put(CLAIMS, String.join(",", restore.retained().keySet().stream().sorted().toList()));
            List<RestoreAction> actions = new ArrayList<>(stopActions());
            actions.add(announce("UndoingRestore", "pgwarden: undo restore " + restoreId + " of " + key
                    + ": stop it, put its previous volumes back, start it", false));
            return enter(STOPPING, "UndoStopping", "stopping " + key + " to undo restore " + restoreId, actions);
        }

        // ---- stop ----

        private List<RestoreAction> stopActions() {
            StatefulSetSeen sts = view.statefulSet().orElseThrow();
            String node = view.pod().map(PodSeen::node).orElse(data.get("node"));
            data.putIfAbsent("replicas", String.valueOf(Math.max(sts.replicas(), 1)));
            if (node != null) {
                data.putIfAbsent("node", node);
            }
            Map<String, String> record = new HashMap<>();
            record.put(Names.STOPPED_REPLICAS_ANNOTATION, data.get("replicas"));
            record.put(Names.STOPPED_ON_ANNOTATION, data.get("node"));
            return List.of(new Annotate(namespace, name, record), new Scale(namespace, name, 0));
        }

        /** What the database still waits for to be stopped, or null when it is. */
        private String stillRunning() {
            if (view.pod().isPresent()) {
                return "pod " + name + "-0 to stop" + Optional.ofNullable(view.pod().get().node()).map(n -> " on node " + n)
                        .orElse("");
            }
            return view.attachments().isEmpty() ? null : view.attachments().size() + " volume attachments of " + key
                    + " to go (" + String.join(", ", view.attachments()) + ")";
        }

        Decision<RestoreAction> stopping() {
            if (view.statefulSet().isEmpty()) {
                return Decision.fail("StatefulSet " + key + " was deleted while it was being stopped for the " + label
                        .toLowerCase(Locale.ROOT));
            }
            if (view.statefulSet().get().replicas() != 0) {
                return waiting("scaling " + key + " to 0", stopActions());
            }
            String waitingFor = stillRunning();
            if (waitingFor != null) {
                if (past(entered(STOPPING), settings.stopTimeout())) {
                    return failure(key + " not stopped within " + settings.stopTimeout() + ": still waiting for "
                            + waitingFor);
                }
                return waiting("waiting for " + waitingFor + lasting(entered(STOPPING)));
            }
            if (undo) {
                return unswapping();
            }
            if (rbd()) {
                return enter(ROLLING_BACK, "RestoreRollingBack", "taking a safety snapshot "
                        + RbdNames.safetySnapshot(restoreId) + " of " + String.join(", ", images()),
                        claims().stream().<RestoreAction>map(c -> new RestoreAction.StartRbdStep(safety(c))).toList());
            }
            List<RestoreAction> actions = new ArrayList<>();
            Map<String, String> retained = new LinkedHashMap<>();
            Map<String, String> policies = new LinkedHashMap<>();
            for (String claim : claims()) {
                String volume = data.get(OLD + claim);
                retained.put(claim, volume);
                policies.put(volume, data.get(POLICY + volume));
                actions.add(new RestoreAction.SetReclaimPolicy(volume, "Retain"));
            }
            actions.add(0, new RestoreAction.RecordRetained(restoreId, retained, policies));
            return enter(RETAINING, "RestoreRetaining", "retaining the volumes of " + key + " ("
                    + String.join(", ", retained.values()) + ")", actions);
        }

        // ---- rbd: roll back in place ----

        /** Per image: the safety snapshot, then (only once it is made) the rollback to the backup's snapshot. */
        Decision<RestoreAction> rollingBack() {
            List<RestoreAction> actions = new ArrayList<>();
            List<String> waitingFor = new ArrayList<>();
            for (String claim : claims()) {
                RbdStep safety = safety(claim);
                RbdJobState made = job(safety);
                if (made.phase() == RbdJobState.Phase.FAILED) {
                    return failure(made.reason());
                }
                if (made.phase() != RbdJobState.Phase.SUCCEEDED) {
                    startIfAbsent(safety, made, actions);
                    waitingFor.add("the safety snapshot " + safety.snapshotSpec());
                    continue;
                }
                RbdStep rollback = rollback(claim);
                RbdJobState rolled = job(rollback);
                if (rolled.phase() == RbdJobState.Phase.FAILED) {
                    return failure(rolled.reason());
                }
                if (rolled.phase() != RbdJobState.Phase.SUCCEEDED) {
                    startIfAbsent(rollback, rolled, actions);
                    waitingFor.add("rbd snap rollback " + rollback.snapshotSpec());
                }
            }
            if (waitingFor.isEmpty()) {
                return enter(STARTING, "RestoreStarting", "starting " + key + " on its rolled-back images", List.of(
                        new Scale(namespace, name, replicas())));
            }
            // No limit of its own: each Job has its deadline (pgwarden.backup.rbd.deadline), and a rollback's time
            // grows with the image's size.
            return waiting("waiting for " + String.join(", ", waitingFor) + lasting(entered(ROLLING_BACK)), actions);
        }

        /**
         * Puts the images back as they were before the restore: an undo always, a failed restore only where a
         * rollback was started (before that, the image was not touched).
         */
        private Decision<RestoreAction> unrollingBack() {
            List<RestoreAction> actions = new ArrayList<>();
            if (view.statefulSet().get().replicas() != 0) {
                actions.addAll(stopActions());
            }
            if (view.statefulSet().get().replicas() != 0 || stillRunning() != null) {
                return waiting("waiting for " + (stillRunning() == null ? "the scale to 0" : stillRunning())
                        + lasting(entered(UNSWAPPING)), actions);
            }
            List<String> waitingFor = new ArrayList<>();
            for (String claim : claims()) {
                RbdJobState rolled = job(rollback(claim));
                if (!undo && rolled.phase() == RbdJobState.Phase.ABSENT) {
                    continue;
                }
                if (rolled.phase() == RbdJobState.Phase.RUNNING) {
                    waitingFor.add("rbd snap rollback of " + data.get(IMAGE + claim) + " to end");
                    continue;
                }
                RbdStep back = RbdStep.undoRollBack(restoreId, backupId(), claim, image(claim));
                RbdJobState undone = job(back);
                if (undone.phase() == RbdJobState.Phase.FAILED) {
                    return givingUp(undone.reason());
                }
                if (undone.phase() != RbdJobState.Phase.SUCCEEDED) {
                    startIfAbsent(back, undone, actions);
                    waitingFor.add("rbd snap rollback " + back.snapshotSpec());
                }
            }
            if (!waitingFor.isEmpty()) {
                return waiting("waiting for " + String.join(", ", waitingFor) + lasting(entered(UNSWAPPING)), actions);
            }
            actions.add(new Scale(namespace, name, replicas()));
            return enter(RESTARTING, label + "Restarting", "starting " + key + " on its images as they were before"
                    + " the restore", actions);
        }

        private boolean rbd() {
            return data.containsKey(RBD);
        }

        private String backupId() {
            return view.backup().map(BackupSeen::id).orElseThrow();
        }

        private RbdImage image(String claim) {
            return RbdImage.ofSpec(data.get(IMAGE + claim));
        }

        private List<String> images() {
            return claims().stream().map(c -> data.get(IMAGE + c)).toList();
        }

        private RbdStep safety(String claim) {
            return RbdStep.takeSafetySnapshot(restoreId, backupId(), claim, image(claim), op.createdAt());
        }

        private RbdStep rollback(String claim) {
            return RbdStep.rollBack(restoreId, backupId(), claim, image(claim));
        }

        /** A step's Job is started once; a running one is only looked at. */
        private static void startIfAbsent(RbdStep step, RbdJobState state, List<RestoreAction> actions) {
            if (state.phase() == RbdJobState.Phase.ABSENT) {
                actions.add(new RestoreAction.StartRbdStep(step));
            }
        }

        private RbdJobState job(RbdStep step) {
            return view.rbdJobs().getOrDefault(step.jobName(), new RbdJobState(step.jobName(),
                    RbdJobState.Phase.ABSENT, "no Job " + step.jobName()));
        }

        // ---- swap ----

        Decision<RestoreAction> retaining() {
            List<String> notYet = new ArrayList<>();
            for (String claim : claims()) {
                VolumeSeen volume = view.volumes().get(data.get(OLD + claim));
                if (volume == null) {
                    return failure("volume " + data.get(OLD + claim) + " of claim " + claim + " is gone");
                }
                if (!"Retain".equals(volume.reclaimPolicy())) {
                    notYet.add(volume.name());
                }
            }
            if (!notYet.isEmpty()) {
                if (past(entered(RETAINING), settings.claimTimeout())) {
                    return failure("the reclaim policy of " + String.join(", ", notYet) + " is not Retain after "
                            + settings.claimTimeout());
                }
                return waiting("waiting for reclaim policy Retain on " + String.join(", ", notYet),
                        notYet.stream().<RestoreAction>map(v -> new RestoreAction.SetReclaimPolicy(v, "Retain")).toList());
            }
            List<RestoreAction> deletes = claims().stream().<RestoreAction>map(c -> new RestoreAction.DeleteClaim(namespace,
                    c, data.get(OLD + c))).toList();
            return enter(SWAPPING, "RestoreSwapping", "replacing claims " + String.join(", ", claims())
                    + " with ones restored from the backup's snapshots", deletes);
        }

        Decision<RestoreAction> swapping() {
            List<RestoreAction> actions = new ArrayList<>();
            List<String> waitingFor = new ArrayList<>();
            List<String> wanted = new ArrayList<>(claims());
            if (data.containsKey(SCRATCH)) {
                wanted.add(data.get(SCRATCH));
            }
            for (String claim : wanted) {
                boolean scratch = claim.equals(data.get(SCRATCH));
                ClaimSeen seen = view.claims().get(claim);
                String old = scratch ? null : data.get(OLD + claim);
                if (seen != null && seen.deleting()) {
                    waitingFor.add("claim " + claim + " to be deleted");
                } else if (seen != null && old != null && old.equals(seen.volumeName())) {
                    actions.add(new RestoreAction.DeleteClaim(namespace, claim, old));
                    waitingFor.add("claim " + claim + " to be deleted");
                } else if (seen == null) {
                    String snapshot = data.get(SNAPSHOT + (scratch ? SCRATCH : claim));
                    if (!Boolean.TRUE.equals(view.snapshots().get(snapshot))) {
                        return failure("VolumeSnapshot " + namespace + "/" + snapshot + " of the backup "
                                + (view.snapshots().containsKey(snapshot) ? "is not ready to use" : "is gone")
                                + ", so claim " + claim + " cannot be restored from it");
                    }
                    String[] spec = data.get(SPEC + (scratch ? claims().get(0) : claim)).split("\\|", -1);
                    actions.add(new RestoreAction.CreateClaimFromSnapshot(namespace, claim, snapshot, spec[0],
                            List.of(spec[1].split(";")), spec[2], restoreId));
                    waitingFor.add("claim " + claim + " restored from VolumeSnapshot " + snapshot);
                } else if (!seen.bound()) {
                    waitingFor.add("claim " + claim + " to be bound");
                }
            }
            if (waitingFor.isEmpty()) {
                return prepareOrStart();
            }
            if (past(entered(SWAPPING), settings.claimTimeout())) {
                return failure("claims not restored within " + settings.claimTimeout() + ": still waiting for "
                        + String.join(", ", waitingFor));
            }
            return waiting("waiting for " + String.join(", ", waitingFor) + lasting(entered(SWAPPING)), actions);
        }

        private Decision<RestoreAction> prepareOrStart() {
            BackupSeen backup = view.backup().orElse(null);
            if (backup == null) {
                return failure("the backup's catalog row is gone");
            }
            if (!backup.online()) {
                return enter(STARTING, "RestoreStarting", "starting " + key + " on the restored volumes", List.of(
                        new Scale(namespace, name, replicas())));
            }
            return enter(PREPARING, "RestorePreparing", "writing backup_label and the recovery target (stop LSN "
                    + backup.stopLsn().orElseThrow() + ") into the restored data directory", List.of(helperJobAction(backup)));
        }

        /** The helper Job ({@link RecoveryPreparation}) on the database's restored claims. */
        private RestoreAction helperJobAction(BackupSeen backup) {
            StatefulSetSeen sts = view.statefulSet().orElseThrow();
            return RecoveryPreparation.job(namespace, RestoreDecider.helperJob(restoreId), sts.image(), sts.pgdata(),
                    backup, Map.of(), data.get(SCRATCH), RESTORE_LABEL, restoreId);
        }

        Decision<RestoreAction> preparing() {
            Optional<JobSeen> job = view.job();
            if (job.isPresent() && job.get().succeeded()) {
                List<RestoreAction> actions = new ArrayList<>();
                actions.add(new RestoreAction.DeleteJob(namespace, job.get().name()));
                if (data.containsKey(SCRATCH)) {
                    actions.add(new RestoreAction.DeleteClaim(namespace, data.get(SCRATCH), null));
                }
                actions.add(new Scale(namespace, name, replicas()));
                return enter(STARTING, "RestoreStarting", "starting " + key + " on the restored volumes", actions);
            }
            if (job.isPresent() && job.get().failed()) {
                return failure("the helper Job " + job.get().name() + " failed: " + job.get().message());
            }
            if (past(entered(PREPARING), settings.jobTimeout())) {
                return failure("the helper Job " + RestoreDecider.helperJob(restoreId) + " did not finish within "
                        + settings.jobTimeout());
            }
            List<RestoreAction> again = job.isPresent() ? List.of() : List.of(helperJobAction(view.backup().orElseThrow()));
            return waiting("waiting for the helper Job " + RestoreDecider.helperJob(restoreId) + lasting(entered(PREPARING)), again);
        }

        // ---- start ----

        Decision<RestoreAction> starting() {
            Optional<String> notYet = notStarted(STARTING);
            if (notYet == null) {
                return failure(data.get("startFailure"));
            }
            if (notYet.isPresent()) {
                return waiting(notYet.get() + lasting(entered(STARTING)), scaleAgain());
            }
            BackupSeen backup = view.backup().orElse(null);
            if (backup != null && backup.online()) {
                String stop = backup.stopLsn().orElseThrow();
                Optional<String> replayed = view.database().flatMap(DatabaseSeen::replayLsn);
                if (replayed.isEmpty() || lsn(replayed.get()) < lsn(stop)) {
                    return failure("recovery of " + key + " ended at " + replayed.orElse("no recovery")
                            + ", before the backup's stop LSN " + stop);
                }
                // Recovery that stops at its target promotes to a new timeline. Still on the backup's own timeline,
                // the server ended recovery another way: a start that failed after recovery.signal was consumed is
                // restarted into crash recovery, which replays every WAL record past the stop LSN.
                Optional<Long> started = startTimeline(backup.backupLabel());
                Optional<Long> now = view.database().flatMap(DatabaseSeen::timeline);
                if (started.isPresent() && now.isPresent() && now.get() <= started.get()) {
                    return failure("recovery of " + key + " did not stop at the backup's stop LSN " + stop
                            + ": the server writes on timeline " + now.get() + ", the backup's own, so it replayed"
                            + " the WAL after it (recovery ended at " + replayed.get() + ")");
                }
                data.put("replayed", replayed.get());
                return enter(RESETTING, "RestoreResetting", "resetting the recovery settings of " + key
                        + " (recovery replayed to " + replayed.get() + ")", List.of(
                        new RestoreAction.ResetRecoverySettings(namespace, name)));
            }
            return finishing(RESTORED, "DatabaseRestored", restoredOutcome(), false, List.of(
                    new RestoreAction.RecordEnd(restoreId, false, null, millisSinceRequest()), clearStopped(),
                    announce("Restored", restoredOutcome(), false)));
        }

        /** The backup_label's {@code START TIMELINE: n} (postgres xlogbackup.c, build_backup_content). */
        private static Optional<Long> startTimeline(Optional<String> backupLabel) {
            return backupLabel.flatMap(label -> label.lines().filter(l -> l.startsWith("START TIMELINE: "))
                    .map(l -> Long.parseLong(l.substring("START TIMELINE: ".length()).trim())).findFirst());
        }

        private String restoredOutcome() {
            String backupId = view.backup().map(BackupSeen::id).orElse("?");
            return "restored " + key + " from backup " + backupId + Optional.ofNullable(data.get("replayed"))
                    .map(l -> ", recovered to " + l).orElse("") + "; writes accepted " + millisSinceRequest()
                    + " ms after the request; " + (rbd() ? "images " + String.join(", ", images())
                    + " rolled back in place, their state before kept as snapshot " + RbdNames.safetySnapshot(restoreId)
                    : "previous volumes retained (" + String.join(", ", claims().stream()
                    .map(c -> c + " -> " + data.get(OLD + c)).toList()) + ")") + ", undo with restore id " + restoreId;
        }

        /**
         * Empty once the pod is Ready and a write was accepted; else what it waits for. Null past the limits, with
         * why in data "startFailure".
         */
        private Optional<String> notStarted(String phase) {
            Optional<PodSeen> pod = view.pod().filter(p -> !p.terminating());
            if (pod.isPresent() && pod.get().ready() && pod.get().node() != null) {
                Optional<String> problem = view.database().map(DatabaseSeen::writeProblem)
                        .orElse(Optional.of("not checked yet"));
                if (problem.isEmpty()) {
                    return Optional.empty();
                }
                data.putIfAbsent("readyAt", now.toString());
                if (past(since("readyAt"), settings.writeTimeout())) {
                    data.put("startFailure", key + " did not accept a write within " + settings.writeTimeout()
                            + " of its pod Ready: " + problem.get());
                    return null;
                }
                return Optional.of("waiting for " + key + " to accept a write on node " + pod.get().node() + " ("
                        + problem.get() + ")");
            }
            String waitingFor = pod.isEmpty() ? "the StatefulSet to create pod " + name + "-0"
                    : pod.get().node() == null ? "pod " + name + "-0 to be scheduled"
                    : "pod " + name + "-0 Ready on node " + pod.get().node();
            if (past(entered(phase), settings.readyTimeout())) {
                data.put("startFailure", key + " not started within " + settings.readyTimeout() + ": still waiting for "
                        + waitingFor);
                return null;
            }
            return Optional.of("waiting for " + waitingFor);
        }

        private List<RestoreAction> scaleAgain() {
            return view.statefulSet().map(s -> s.replicas() != replicas()).orElse(false)
                    ? List.of(new Scale(namespace, name, replicas())) : List.of();
        }

        // ---- put back ----

        /** A failure of the restore: its reason, and the old volumes go back. */
        private Decision<RestoreAction> failure(String reason) {
            if (undo || data.containsKey(REASON) || view.statefulSet().isEmpty()) {
                return givingUp(reason);
            }
            data.put(REASON, reason);
            data.remove("readyAt");
            List<RestoreAction> actions = new ArrayList<>(stopActions());
            actions.add(announce("RestoreFailed", "pgwarden: restore of " + key + " failed: " + reason
                    + "; putting the previous volumes back", true));
            return enter(UNSWAPPING, "RestorePuttingBack", "putting the previous volumes of " + key + " back: " + reason,
                    actions);
        }

        /** The put-back failed too: both reasons, and the state the database is left in. */
        private Decision<RestoreAction> givingUp(String why) {
            String first = data.get(REASON);
            String outcome = (undo ? "undo of restore " + restoreId + " of " + key + " failed: " + why
                    : "restore of " + key + " failed: " + first + "; putting the previous volumes back failed too: "
                    + why) + "; " + key + " is left " + (view.statefulSet().map(s -> s.replicas() == 0).orElse(true)
                    ? "stopped (replicas 0, " + Names.STOPPED_REPLICAS_ANNOTATION + "=" + replicas() + ")"
                    : "scaled to " + replicas() + " but not accepting writes");
            List<RestoreAction> actions = new ArrayList<>();
            if (!undo) {
                actions.add(new RestoreAction.RecordEnd(restoreId, true, outcome, millisSinceRequest()));
            }
            actions.add(announce(label + "Failed", outcome, true));
            return finishing(PUT_BACK, label + "Failed", outcome, true, actions);
        }

        Decision<RestoreAction> unswapping() {
            if (!UNSWAPPING.equals(op.phase())) {
                return enter(UNSWAPPING, "UndoPuttingBack", "putting the previous volumes of " + key + " back", List.of());
            }
            if (view.statefulSet().isEmpty()) {
                return givingUp("StatefulSet " + key + " was deleted");
            }
            if (rbd()) {
                return unrollingBack();
            }
            if (past(entered(UNSWAPPING), settings.stopTimeout().plus(settings.claimTimeout()))) {
                return givingUp("the previous volumes are not back within " + settings.stopTimeout()
                        .plus(settings.claimTimeout()));
            }
            List<RestoreAction> actions = new ArrayList<>();
            if (view.statefulSet().get().replicas() != 0) {
                actions.addAll(stopActions());
            }
            if (view.job().isPresent()) {
                actions.add(new RestoreAction.DeleteJob(namespace, view.job().get().name()));
            }
            List<String> waitingFor = new ArrayList<>();
            boolean stopped = view.statefulSet().get().replicas() == 0 && stillRunning() == null;
            for (String claim : claims()) {
                String old = data.get(OLD + claim);
                ClaimSeen seen = view.claims().get(claim);
                if (seen != null && old.equals(seen.volumeName())) {
                    if (!seen.bound()) {
                        waitingFor.add("claim " + claim + " to be bound to volume " + old);
                    }
                    continue;
                }
                if (!stopped) {
                    waitingFor.add(stillRunning() == null ? "the scale to 0" : stillRunning());
                    continue;
                }
                if (seen != null && seen.deleting()) {
                    waitingFor.add("claim " + claim + " to be deleted");
                } else if (seen != null) {
                    actions.add(new RestoreAction.DeleteClaim(namespace, claim, seen.volumeName()));
                    waitingFor.add("claim " + claim + " to be deleted");
                } else {
                    VolumeSeen volume = view.volumes().get(old);
                    if (volume == null) {
                        return givingUp("the retained volume " + old + " of claim " + claim + " is gone");
                    }
                    actions.add(new RestoreAction.BindClaimToVolume(namespace, claim, old, volume.storageClass(),
                            volume.accessModes(), volume.capacity()));
                    waitingFor.add("claim " + claim + " to be bound to volume " + old);
                }
            }
            if (data.containsKey(SCRATCH) && view.claims().containsKey(data.get(SCRATCH))
                    && !view.claims().get(data.get(SCRATCH)).deleting()) {
                actions.add(new RestoreAction.DeleteClaim(namespace, data.get(SCRATCH), null));
            }
            if (!waitingFor.isEmpty()) {
                return waiting("waiting for " + String.join(", ", waitingFor.stream().distinct().toList())
                        + lasting(entered(UNSWAPPING)), actions);
            }
            for (String claim : claims()) {
                String old = data.get(OLD + claim);
                String policy = data.get(POLICY + old);
                VolumeSeen volume = view.volumes().get(old);
                if (policy != null && volume != null && !policy.equals(volume.reclaimPolicy())) {
                    actions.add(new RestoreAction.SetReclaimPolicy(old, policy));
                }
            }
            actions.add(new Scale(namespace, name, replicas()));
            return enter(RESTARTING, label + "Restarting", "starting " + key + " on its previous volumes", actions);
        }

        Decision<RestoreAction> restarting() {
            Optional<String> notYet = notStarted(RESTARTING);
            if (notYet == null) {
                return givingUp(data.get("startFailure"));
            }
            if (notYet.isPresent()) {
                return waiting(notYet.get() + lasting(entered(RESTARTING)), scaleAgain());
            }
            String volumes = rbd() ? "images " + String.join(", ", images()) + " rolled back to "
                    + RbdNames.safetySnapshot(restoreId) : String.join(", ", claims().stream()
                    .map(c -> c + " -> " + data.get(OLD + c)).toList());
            if (undo) {
                String outcome = "undid restore " + restoreId + " of " + key + ": " + (rbd() ? volumes
                        : "claims back on their previous volumes (" + volumes + ")") + "; writes accepted " + millisSinceRequest() + " ms after the request";
                return finishing(PUT_BACK, "RestoreUndone", outcome, false, List.of(
                        new RestoreAction.RecordUndone(restoreId), clearStopped(), announce("RestoreUndone", outcome,
                                false)));
            }
            String outcome = "restore of " + key + " failed: " + data.get(REASON) + "; put the previous "
                    + (rbd() ? "data back (" : "volumes back (") + volumes + "), and " + key + " accepts writes again";
            return finishing(PUT_BACK, "RestoreFailed", outcome, true, List.of(
                    new RestoreAction.RecordEnd(restoreId, true, outcome, millisSinceRequest()), clearStopped(),
                    announce("RestoreFailed", outcome, true)));
        }

        // ---- common ----

        private List<String> claims() {
            String joined = data.get(CLAIMS);
            return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
        }

        private int replicas() {
            return Integer.parseInt(data.getOrDefault("replicas", "1"));
        }

        private RestoreAction clearStopped() {
            Map<String, String> clear = new HashMap<>();
            clear.put(Names.STOPPED_REPLICAS_ANNOTATION, null);
            clear.put(Names.STOPPED_ON_ANNOTATION, null);
            return new Annotate(namespace, name, clear);
        }

        private RestoreAction announce(String reason, String message, boolean warning) {
            return new Announce(namespace, name, reason, message, warning);
        }

        private Decision<RestoreAction> reject(String reason) {
            return Decision.reject(reason, new Activity(key, label + "Rejected", false, reason));
        }

        private Decision<RestoreAction> enter(String phase, String action, String step, List<RestoreAction> actions) {
            data.putIfAbsent(AT + phase, now.toString());
            return new Decision<>(actions, List.of(new Activity(key, action, true, step)), Decision.Next.CONTINUE,
                    phase, data, step, null, null);
        }

        private Decision<RestoreAction> waiting(String step) {
            return waiting(step, List.of());
        }

        private Decision<RestoreAction> waiting(String step, List<RestoreAction> actions) {
            return new Decision<>(actions, List.of(), Decision.Next.WAIT, op.phase(), data, step, settings.poll(), null);
        }

        private Decision<RestoreAction> finishing(String phase, String action, String outcome, boolean failed,
                                                  List<RestoreAction> actions) {
            data.put("outcome", outcome);
            data.put("failed", String.valueOf(failed));
            return enter(phase, action, outcome, actions);
        }

        private Decision<RestoreAction> end() {
            String outcome = data.getOrDefault("outcome", op.phase());
            return Boolean.parseBoolean(data.get("failed")) ? Decision.fail(outcome) : Decision.succeed(outcome);
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

        /** ", 4 s", in steps of 1 s up to 10 s, of 5 s up to a minute, then of 30 s, as the planned operations word it. */
        private String lasting(Instant from) {
            long seconds = Duration.between(from, now).toSeconds();
            long step = seconds < 10 ? 1 : seconds < 60 ? 5 : 30;
            return ", " + seconds / step * step + " s";
        }

        private long millisSinceRequest() {
            return Duration.between(op.createdAt(), now).toMillis();
        }

        /** The claim's size: its request, or the snapshot's restoreSize when that is larger (in bytes). */
        private static String larger(String request, Long restoreSize) {
            return restoreSize != null && (request == null || Quantities.bytes(request) < restoreSize)
                    ? String.valueOf(restoreSize) : request;
        }
    }
}
