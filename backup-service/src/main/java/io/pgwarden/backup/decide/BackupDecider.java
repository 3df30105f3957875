package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.BackupAction.Annotate;
import io.pgwarden.backup.decide.BackupAction.CloseSession;
import io.pgwarden.backup.decide.BackupAction.CreateSnapshot;
import io.pgwarden.backup.decide.BackupAction.DeleteSnapshots;
import io.pgwarden.backup.decide.BackupAction.Scale;
import io.pgwarden.backup.decide.BackupView.ClaimSeen;
import io.pgwarden.backup.decide.BackupView.ClassSeen;
import io.pgwarden.backup.decide.BackupView.RbdImageSeen;
import io.pgwarden.backup.decide.BackupView.SessionSeen;
import io.pgwarden.backup.decide.BackupView.SnapshotSeen;
import io.pgwarden.backup.decide.BackupView.StatefulSetSeen;
import io.pgwarden.backup.decide.BackupView.StopResult;
import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.SnapshotDriver;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A snapshot backup, phase by phase (docs/backups.md). {@code online}: starting-backup ({@code pg_backup_start} on
 * the session) → snapshotting (a snapshot of every claim, until each is cut) → stopping-backup
 * ({@code pg_backup_stop}; its {@code backup_label} onto the snapshots, and the claim holding pg_wal snapshotted once
 * more) → finishing (every snapshot ready) → completed. {@code crash-consistent}: snapshotting → finishing.
 * {@code cold}: stopping-database (scale to 0, pod gone, volumes detached) → snapshotting → starting-database (scaled
 * back, a write accepted) → finishing. A failure after the first action goes through cleaning-up: the session closed
 * (which ends a backup still open in PostgreSQL), the snapshots deleted, a cold backup's database scaled back.
 * The rbd driver takes each snapshot by an {@code rbd snap create} Job and removes it by {@code rbd snap rm}; it is
 * refused for {@code online}, whose restore would need two snapshots of one image (docs/backups.md).
 */
public final class BackupDecider {
    public static final String STARTING_BACKUP = "starting-backup";
    public static final String SNAPSHOTTING = "snapshotting";
    public static final String STOPPING_BACKUP = "stopping-backup";
    public static final String STOPPING_DATABASE = "stopping-database";
    public static final String STARTING_DATABASE = "starting-database";
    public static final String FINISHING = "finishing";
    public static final String COMPLETED = "completed";
    public static final String CLEANING_UP = "cleaning-up";

    /** Snapshot roles, as in the catalog. */
    public static final String DATA = "data";
    public static final String WAL_TAIL = "wal-tail";

    /** Data keys. */
    static final String AT = "at.";
    static final String ID = "backupId";
    static final String METHOD = "method";
    static final String DRIVER = "driver";
    static final String CLASS = "snapshotClass";
    static final String CLAIMS = "claims";
    static final String REPLICAS = "replicas";
    static final String START_LSN = "startLsn";
    static final String STOP_LSN = "stopLsn";
    static final String BACKUP_LABEL = "backupLabel";
    static final String TABLESPACE_MAP = "tablespaceMap";
    static final String ERROR = "error";
    static final String OUTCOME = "outcome";
    /** The RBD image spec of a claim (rbd driver), per claim. */
    static final String RBD_IMAGE = "rbdImage.";

    /** A label value's limit (the backup's id labels its snapshots). */
    static final int MAX_LABEL_VALUE = 63;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private BackupDecider() {
    }

    /** What names a backup: the slot of a scheduled one, else when the request was accepted. */
    public static Instant idTime(TakeBackup command, Operation op) {
        return command.slot() != null ? command.slot() : op.createdAt();
    }

    /** {@code <cluster>-<yyyyMMdd-HHmmss>} in UTC of when the request was accepted (or the scheduled slot). */
    public static String backupId(String cluster, Instant at) {
        return cluster + "-" + ID_TIME.format(at);
    }

    /** Whether the backup, once started, snapshots with the rbd driver (the world then reads its Jobs). */
    public static boolean usesRbd(Operation op) {
        return SnapshotDriver.RBD.wireName().equals(op.data().get(DRIVER));
    }

    /** The observation includes a write check only while a cold backup waits for its database to be back. */
    public static boolean wantsWrite(Operation op, BackupView view) {
        return STARTING_DATABASE.equals(op.phase()) && view.pod().filter(p -> p.ready() && !p.terminating())
                .isPresent();
    }

    public static Decision<BackupAction> decide(Operation op, TakeBackup command, BackupView view, Instant now,
                                                BackupSettings settings) {
        Turn turn = new Turn(op, command, view, now, settings);
        return switch (op.phase()) {
            case Operation.START -> turn.start();
            case STARTING_BACKUP -> turn.startingBackup();
            case STOPPING_DATABASE -> turn.stoppingDatabase();
            case SNAPSHOTTING -> turn.snapshotting();
            case STOPPING_BACKUP -> turn.stoppingBackup();
            case STARTING_DATABASE -> turn.startingDatabase();
            case FINISHING -> turn.finishing();
            case COMPLETED -> Decision.succeed(turn.data.get(OUTCOME));
            case CLEANING_UP -> turn.cleaningUp();
            default -> Decision.fail("unknown phase " + op.phase() + " of a backup");
        };
    }

    /** A claim as remembered in the operation's data: name, mount path, whether it holds pg_wal. */
    record Claim(String name, String mountPath, boolean holdsWal) {
        String encode() {
            return name + "\t" + mountPath + "\t" + holdsWal;
        }

        static Claim decode(String line) {
            String[] parts = line.split("\t");
            return new Claim(parts[0], parts[1], Boolean.parseBoolean(parts[2]));
        }
    }

    private static final class Turn {
        private final Operation op;
        private final TakeBackup command;
        private final BackupView view;
        private final Instant now;
        private final BackupSettings settings;
        private final Map<String, String> data;
        private final String namespace;
        private final String name;
        private final String key;

        Turn(Operation op, TakeBackup command, BackupView view, Instant now, BackupSettings settings) {
            this.op = op;
            this.command = command;
            this.view = view;
            this.now = now;
            this.settings = settings;
            this.data = new HashMap<>(op.data());
            this.namespace = command.namespace();
            this.name = command.cluster();
            this.key = namespace + "/" + name;
        }

        // ---- start: the checks, then the first phase ----

        Decision<BackupAction> start() {
            if (view.statefulSet().isEmpty()) {
                return reject("no StatefulSet " + name + " in namespace " + namespace
                        + ": no such database (check the namespace and the name)");
            }
            StatefulSetSeen sts = view.statefulSet().get();
            if (!sts.managed()) {
                return reject("StatefulSet " + key + " is not managed by pgwarden: label it " + Names.MANAGED_LABEL
                        + "=true first");
            }
            String method;
            if (command.method() != null) {
                method = command.method().wireName();
            } else {
                method = sts.annotation(Names.BACKUP_METHOD_ANNOTATION).orElse(BackupMethod.ONLINE.wireName());
                if (Arrays.stream(BackupMethod.values()).noneMatch(m -> m.wireName().equals(method))) {
                    return reject("StatefulSet " + key + " has " + Names.BACKUP_METHOD_ANNOTATION + "=" + method
                            + ": set it to online, crash-consistent or cold, or name the method in the request");
                }
            }
            String driver = command.driver() != null ? command.driver().wireName()
                    : sts.annotation(Names.SNAPSHOT_DRIVER_ANNOTATION).orElse(settings.driver());
            if (Arrays.stream(SnapshotDriver.values()).noneMatch(d -> d.wireName().equals(driver))) {
                return reject("snapshot driver " + driver + " (from " + Names.SNAPSHOT_DRIVER_ANNOTATION
                        + " or pgwarden.backup.driver) is unknown: use csi or rbd");
            }
            boolean rbd = SnapshotDriver.RBD.wireName().equals(driver);
            if (rbd && BackupMethod.ONLINE.wireName().equals(method)) {
                // A restore by rollback puts back one snapshot per image, but an online backup of a single claim
                // needs two of the same image: the data from before pg_backup_stop and the WAL tail from after it.
                return reject("an online backup with the rbd driver is refused: an in-place rbd rollback can put"
                        + " back only one snapshot of an image, and an online backup needs its WAL tail too; ask for"
                        + " method cold or crash-consistent with rbd, or for driver csi");
            }
            String id = backupId(name, idTime(command, op));
            if (id.length() > MAX_LABEL_VALUE) {
                return reject("backup id " + id + " is longer than " + MAX_LABEL_VALUE + " characters, the limit of"
                        + " the label its snapshots carry: pgwarden backs up databases with names of up to "
                        + (MAX_LABEL_VALUE - 16) + " characters");
            }
            if (sts.replicas() != 1) {
                return reject(key + " has replicas " + sts.replicas() + ", not 1: pgwarden backs up only a running"
                        + " single-primary StatefulSet" + (sts.replicas() == 0 ? " (start it first)" : ""));
            }
            if (view.claims().isEmpty()) {
                return reject("the database container of " + key + " mounts no persistentVolumeClaim: nothing to"
                        + " snapshot");
            }
            boolean online = BackupMethod.ONLINE.wireName().equals(method);
            boolean cold = BackupMethod.COLD.wireName().equals(method);
            if (BackupMethod.CRASH_CONSISTENT.wireName().equals(method) && view.claims().size() > 1) {
                return reject("a crash-consistent backup of " + key + " is refused: its pod has "
                        + view.claims().size() + " claims (" + view.claims().stream().map(ClaimSeen::name)
                        .collect(Collectors.joining(", ")) + "), and snapshots of several volumes are not atomic"
                        + " together; use online or cold");
            }
            Optional<ClaimSeen> unbound = view.claims().stream().filter(c -> c.volume().isEmpty()).findFirst();
            if (unbound.isPresent()) {
                return reject("claim " + namespace + "/" + unbound.get().name() + " of " + key + " is missing or not"
                        + " bound to a volume: nothing to snapshot");
            }
            if (!cold && view.pod().filter(p -> p.ready() && !p.terminating()).isEmpty()) {
                return reject(key + " is not running (pod " + name + "-0 is not Ready): an " + method + " backup"
                        + " needs it running; wait until it is, or take a cold backup");
            }
            if (!BackupMethod.CRASH_CONSISTENT.wireName().equals(method)) {
                Optional<String> secret = sts.annotation(Names.CREDENTIALS_SECRET_ANNOTATION);
                if (secret.isEmpty()) {
                    return reject("StatefulSet " + key + " has no annotation " + Names.CREDENTIALS_SECRET_ANNOTATION
                            + " naming the Secret (username, password) pgwarden connects with: add it");
                }
                if (!view.secretExists()) {
                    return reject("the Secret " + namespace + "/" + secret.get() + " that StatefulSet " + key
                            + " names in " + Names.CREDENTIALS_SECRET_ANNOTATION + " does not exist: create it"
                            + " (keys username, password)");
                }
            }
            Optional<String> named = sts.annotation(Names.VOLUME_SNAPSHOT_CLASS_ANNOTATION)
                    .or(settings::snapshotClass);
            String snapshotClass;
            if (rbd) {
                snapshotClass = "";
                for (ClaimSeen claim : view.claims()) {
                    RbdImageSeen image = view.rbdImages().get(claim.name());
                    if (image == null || image.image().isEmpty()) {
                        return reject("the rbd driver cannot snapshot claim " + namespace + "/" + claim.name() + " of "
                                + key + ": " + (image == null ? "its RBD image is unknown" : image.problem()
                                .orElse("it has no RBD image")));
                    }
                    data.put(RBD_IMAGE + claim.name(), image.image().get().spec());
                }
            } else if (named.isPresent()) {
                if (view.classes().stream().noneMatch(c -> c.name().equals(named.get()))) {
                    return reject("VolumeSnapshotClass " + named.get() + " (named by "
                            + (sts.annotation(Names.VOLUME_SNAPSHOT_CLASS_ANNOTATION).isPresent()
                            ? Names.VOLUME_SNAPSHOT_CLASS_ANNOTATION + " on " + key
                            : "pgwarden.backup.volume-snapshot-class") + ") does not exist: create it, or name"
                            + " another");
                }
                snapshotClass = named.get();
            } else {
                String volumeDriver = view.claims().get(0).driver().orElse("");
                List<ClassSeen> defaults = view.classes().stream()
                        .filter(c -> c.isDefault() && c.driver().equals(volumeDriver)).toList();
                if (defaults.size() != 1) {
                    return reject((defaults.isEmpty() ? "no" : defaults.size()) + " default VolumeSnapshotClass for"
                            + " driver " + volumeDriver + " of " + key + "'s volumes: name one in "
                            + Names.VOLUME_SNAPSHOT_CLASS_ANNOTATION + " on the StatefulSet");
                }
                snapshotClass = defaults.get(0).name();
            }
            if (view.alreadyExists()) {
                return reject("a backup " + id + " of " + key + " exists already (one per second): ask again");
            }

            String label = command.label() == null || command.label().isBlank() ? id : command.label();
            data.put(ID, id);
            data.put(METHOD, method);
            data.put(DRIVER, driver);
            data.put(CLASS, snapshotClass);
            data.put(CLAIMS, view.claims().stream().map(c -> new Claim(c.name(), c.mountPath(), c.holdsWal())
                    .encode()).collect(Collectors.joining("\n")));
            data.put(AT + Operation.START, now.toString());
            List<BackupAction> actions = new ArrayList<>();
            actions.add(new BackupAction.RecordStarted(id, namespace, name, method, driver, label, op.id(), now,
                    command.slot()));
            String about = "backup " + id + " of " + key + " (" + method + ", " + driver
                    + (rbd ? "" : ", class " + snapshotClass) + ")";
            if (online) {
                actions.add(new BackupAction.StartSession(op.id(), namespace, name, label));
                return enter(STARTING_BACKUP, "BackupStarting", about + ": pg_backup_start('" + label
                        + "', fast => true)", actions);
            }
            if (cold) {
                data.put(REPLICAS, String.valueOf(sts.replicas()));
                actions.addAll(scaleDown());
                return enter(STOPPING_DATABASE, "BackupStoppingDatabase", about + ": scaling to 0 (a planned"
                        + " outage), waiting until pod " + name + "-0 is gone and its volumes are detached", actions);
            }
            actions.addAll(createData());
            return enter(SNAPSHOTTING, "BackupSnapshotting", about + ": " + snapshotWords(DATA), actions);
        }

        // ---- online ----

        Decision<BackupAction> startingBackup() {
            SessionSeen session = view.session();
            return switch (session.state()) {
                case STARTED -> {
                    data.put(START_LSN, session.startLsn().orElse(""));
                    yield enter(SNAPSHOTTING, "BackupSnapshotting", "backup " + id() + " started at LSN "
                            + data.get(START_LSN) + ": " + snapshotWords(DATA), createData());
                }
                case NONE -> past(entered(STARTING_BACKUP), settings.backupStartTimeout())
                        ? cleanup("pg_backup_start did not return within " + settings.backupStartTimeout())
                        // This service restarted before the session opened: open it again; nothing was cut yet.
                        : waiting("opening the backup session", List.of(new BackupAction.StartSession(op.id(),
                        namespace, name, label())));
                case LOST, STOPPED -> cleanup("pg_backup_start failed: " + session.problem().orElse("no answer"));
            };
        }

        Decision<BackupAction> stoppingBackup() {
            SessionSeen session = view.session();
            if (session.state() == SessionSeen.State.STOPPED && session.stop().isPresent()) {
                StopResult stop = session.stop().get();
                data.put(STOP_LSN, stop.stopLsn());
                data.put(BACKUP_LABEL, stop.backupLabel());
                data.put(TABLESPACE_MAP, stop.tablespaceMap() == null ? "" : stop.tablespaceMap());
                List<BackupAction> actions = new ArrayList<>(afterStop());
                actions.add(0, new CloseSession(op.id()));
                return enter(FINISHING, "BackupStopped", "pg_backup_stop returned stop LSN " + stop.stopLsn()
                        + "; backup_label onto the snapshots; " + snapshotWords(WAL_TAIL) + " (the WAL up to the"
                        + " stop LSN); waiting until every snapshot is ready", actions);
            }
            if (session.state() == SessionSeen.State.STARTED) {
                return past(entered(STOPPING_BACKUP), settings.backupStopTimeout())
                        ? cleanup("pg_backup_stop did not return within " + settings.backupStopTimeout())
                        : waiting("stopping the backup", List.of(new BackupAction.StopSession(op.id())));
            }
            return cleanup(lost(session));
        }

        /** What follows pg_backup_stop: recorded, annotated, the WAL tail snapshotted. Idempotent. */
        private List<BackupAction> afterStop() {
            List<BackupAction> actions = new ArrayList<>();
            actions.add(new BackupAction.RecordLsns(id(), data.get(START_LSN), data.get(STOP_LSN),
                    data.get(BACKUP_LABEL), data.get(TABLESPACE_MAP)));
            actions.add(new BackupAction.AnnotateSnapshots(namespace, id(), labelAnnotations()));
            claims().stream().filter(Claim::holdsWal).forEach(c -> actions.add(create(c, WAL_TAIL,
                    labelAnnotations())));
            return actions;
        }

        private Map<String, String> labelAnnotations() {
            return Map.of(Names.BACKUP_LABEL_ANNOTATION, data.getOrDefault(BACKUP_LABEL, ""),
                    Names.TABLESPACE_MAP_ANNOTATION, data.getOrDefault(TABLESPACE_MAP, ""),
                    Names.STOP_LSN_ANNOTATION, data.getOrDefault(STOP_LSN, ""));
        }

        // ---- cold ----

        private List<BackupAction> scaleDown() {
            Map<String, String> record = new HashMap<>();
            record.put(Names.STOPPED_REPLICAS_ANNOTATION, data.get(REPLICAS));
            return List.of(new Annotate(namespace, name, record), new Scale(namespace, name, 0));
        }

        private List<BackupAction> scaleBack() {
            Map<String, String> remove = new HashMap<>();
            remove.put(Names.STOPPED_REPLICAS_ANNOTATION, null);
            return List.of(new Scale(namespace, name, replicas()), new Annotate(namespace, name, remove));
        }

        Decision<BackupAction> stoppingDatabase() {
            if (view.statefulSet().isEmpty()) {
                return cleanup("StatefulSet " + key + " was deleted during the backup");
            }
            StatefulSetSeen sts = view.statefulSet().get();
            if (sts.replicas() != 0 || sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION).isEmpty()) {
                return waiting("scaling " + key + " to 0", scaleDown());
            }
            String waitingFor = view.pod().isPresent() ? "pod " + name + "-0 to stop"
                    : view.attachments().isEmpty() ? null : view.attachments().size() + " volume attachments to go ("
                    + String.join(", ", view.attachments()) + ")";
            if (waitingFor == null) {
                return enter(SNAPSHOTTING, "BackupSnapshotting", key + " is stopped: " + snapshotWords(DATA),
                        createData());
            }
            if (past(entered(STOPPING_DATABASE), settings.scaleDownTimeout())) {
                return cleanup(key + " did not stop within " + settings.scaleDownTimeout() + ": still waiting for "
                        + waitingFor);
            }
            return waiting("waiting for " + waitingFor + lasting(entered(STOPPING_DATABASE)));
        }

        Decision<BackupAction> startingDatabase() {
            if (view.statefulSet().isEmpty()) {
                return cleanup("StatefulSet " + key + " was deleted during the backup");
            }
            StatefulSetSeen sts = view.statefulSet().get();
            if (sts.replicas() != replicas() || sts.annotation(Names.STOPPED_REPLICAS_ANNOTATION).isPresent()) {
                return waiting("scaling " + key + " back to " + replicas(), scaleBack());
            }
            if (view.write().filter(String::isEmpty).isPresent()) {
                return enter(FINISHING, "BackupDatabaseStarted", key + " accepts writes again after "
                        + seconds(entered(STOPPING_DATABASE)) + " of outage; waiting until every snapshot is ready",
                        List.of());
            }
            String waitingFor = view.write().map(p -> "a write (" + p + ")").orElse("pod " + name + "-0 to be Ready");
            if (past(entered(STARTING_DATABASE), settings.scaleUpTimeout())) {
                return cleanup(key + " was scaled back to " + replicas() + " but did not accept a write within "
                        + settings.scaleUpTimeout() + ": still waiting for " + waitingFor);
            }
            return waiting("waiting for " + waitingFor + lasting(entered(STARTING_DATABASE)));
        }

        // ---- every method ----

        Decision<BackupAction> snapshotting() {
            boolean online = BackupMethod.ONLINE.wireName().equals(method());
            if (online && view.session().state() != SessionSeen.State.STARTED) {
                return cleanup(lost(view.session()));
            }
            List<Claim> missing = missing(DATA);
            List<SnapshotSeen> uncut = of(DATA).stream().filter(s -> !s.cut()).toList();
            Optional<SnapshotSeen> failed = uncut.stream().filter(s -> rbd() && s.error().isPresent()).findFirst();
            if (failed.isPresent()) {
                // An rbd Job runs once (backoffLimit 0): its failure is final, unlike a VolumeSnapshot's error.
                return cleanup(failed.get().error().get());
            }
            if (missing.isEmpty() && uncut.isEmpty()) {
                if (online) {
                    return enter(STOPPING_BACKUP, "BackupStopping", "every snapshot is cut: pg_backup_stop()",
                            List.of(new BackupAction.StopSession(op.id())));
                }
                if (BackupMethod.COLD.wireName().equals(method())) {
                    return enter(STARTING_DATABASE, "BackupStartingDatabase", "every snapshot is cut: scaling "
                            + key + " back to " + replicas(), scaleBack());
                }
                return enter(FINISHING, "BackupCut", "every snapshot is cut; waiting until each is ready",
                        List.of());
            }
            String waitingFor = waitingWords(missing, uncut, "cut");
            if (past(entered(SNAPSHOTTING), settings.cutTimeout())) {
                return cleanup("the snapshots were not cut within " + settings.cutTimeout() + ": still waiting for "
                        + waitingFor);
            }
            String step = "waiting for " + waitingFor + lasting(entered(SNAPSHOTTING));
            return missing.isEmpty() ? waiting(step) : waiting(step, missing.stream()
                    .map(c -> create(c, DATA, Map.of())).toList());
        }

        Decision<BackupAction> finishing() {
            boolean online = BackupMethod.ONLINE.wireName().equals(method());
            if (!missing(DATA).isEmpty()) {
                // Cut again now, it would hold another moment than the rest of the backup.
                return cleanup("snapshot " + missing(DATA).stream().map(c -> snapshotName(c, DATA))
                        .collect(Collectors.joining(", ")) + " disappeared before it was ready");
            }
            List<Claim> missing = online ? missing(WAL_TAIL) : List.of();
            List<SnapshotSeen> unready = view.snapshots().stream().filter(s -> !s.ready()).toList();
            if (missing.isEmpty() && unready.isEmpty()) {
                long size = view.snapshots().stream().mapToLong(s -> s.restoreSize().orElse(0L)).sum();
                String outcome = "backup " + id() + " of " + key + " (" + method() + ", " + data.get(DRIVER)
                        + ") completed in " + seconds(entered(Operation.START)) + ": snapshots " + view.snapshots()
                        .stream().map(s -> s.name() + " (" + s.role() + " of " + s.claim() + ", "
                                + s.restoreSize().orElse(0L) + " bytes)").collect(Collectors.joining(", "))
                        + (online ? "; start LSN " + data.get(START_LSN) + ", stop LSN " + data.get(STOP_LSN) : "");
                data.put(OUTCOME, outcome);
                return enter(COMPLETED, "BackupCompleted", outcome, List.of(new BackupAction.RecordCompleted(id(),
                        view.snapshots(), size, now, method(), data.get(DRIVER), millis())));
            }
            String waitingFor = waitingWords(missing, unready, "ready");
            if (past(entered(FINISHING), settings.readyTimeout())) {
                return cleanup("the snapshots were not ready within " + settings.readyTimeout()
                        + ": still waiting for " + waitingFor);
            }
            String step = "waiting for " + waitingFor + lasting(entered(FINISHING));
            // A restart between the phase's record and its actions: send them again.
            return missing.isEmpty() ? waiting(step) : waiting(step, afterStop());
        }

        // ---- failure ----

        /** Fail after actions: close the session, delete the snapshots, scale a cold backup's database back. */
        private Decision<BackupAction> cleanup(String why) {
            data.put(ERROR, why);
            List<BackupAction> actions = new ArrayList<>(cleanupActions());
            actions.add(new BackupAction.RecordFailed(id(), why, now, method(), data.get(DRIVER), millis()));
            return enter(CLEANING_UP, "BackupFailing", "backup " + id() + " failed: " + why + "; cleaning up"
                    + " (session closed, snapshots labelled " + Names.BACKUP_ID_LABEL + "=" + id() + " deleted"
                    + (scaledDown() ? ", " + key + " scaled back to " + replicas() : "") + ")", actions);
        }

        private List<BackupAction> cleanupActions() {
            List<BackupAction> actions = new ArrayList<>();
            actions.add(new CloseSession(op.id()));
            if (!rbd()) {
                actions.add(new DeleteSnapshots(namespace, id()));
            } else if (view.snapshots().stream().anyMatch(SnapshotSeen::cut)) {
                // Only made snapshots: an rbd snap rm while its create still runs could come first and leave it.
                actions.add(new BackupAction.RemoveRbdSnapshots(claims().stream().filter(c -> view.snapshots().stream()
                        .anyMatch(s -> s.cut() && s.name().equals(snapshotName(c, DATA))))
                        .map(c -> RbdStep.removeSnapshot(id(), c.name(), image(c))).toList()));
            }
            if (scaledDown()) {
                actions.addAll(scaleBack());
            }
            return actions;
        }

        Decision<BackupAction> cleaningUp() {
            String why = data.getOrDefault(ERROR, "failed");
            String scaled = scaledDown() ? "; " + key + " is scaled back to " + replicas() : "";
            // A failed rbd snap create made nothing of this backup's (a name taken before it began is not its own).
            List<SnapshotSeen> remaining = view.snapshots().stream()
                    .filter(s -> !rbd() || s.cut() || s.error().isEmpty()).toList();
            if (remaining.isEmpty()) {
                return fail("backup " + id() + " of " + key + " failed: " + why + "; its snapshots are deleted"
                        + scaled);
            }
            if (past(entered(CLEANING_UP), settings.cleanupTimeout())) {
                return fail("backup " + id() + " of " + key + " failed: " + why + "; snapshots "
                        + remaining.stream().map(SnapshotSeen::name).collect(Collectors.joining(", "))
                        + " still exist after " + settings.cleanupTimeout() + ": delete them (" + (rbd()
                        ? "rbd snap rm; its Jobs are labelled " : "label ") + Names.BACKUP_ID_LABEL + "=" + id() + ")"
                        + remaining.stream().flatMap(s -> s.error().stream()).map(e -> "; " + e)
                        .collect(Collectors.joining()) + scaled);
            }
            return waiting("deleting " + remaining.size() + " snapshots" + lasting(entered(CLEANING_UP)),
                    cleanupActions());
        }

        private static String lost(SessionSeen session) {
            return "the backup session was lost (" + session.problem().orElse("backup-service restarted and a"
                    + " session does not survive it") + "); PostgreSQL ended the backup with it";
        }

        // ---- helpers ----

        private String id() {
            return data.get(ID);
        }

        private String method() {
            return data.get(METHOD);
        }

        private String label() {
            return command.label() == null || command.label().isBlank() ? id() : command.label();
        }

        private int replicas() {
            return Integer.parseInt(data.getOrDefault(REPLICAS, "1"));
        }

        private boolean scaledDown() {
            return data.containsKey(REPLICAS);
        }

        private List<Claim> claims() {
            String joined = data.getOrDefault(CLAIMS, "");
            return joined.isEmpty() ? List.of() : joined.lines().map(Claim::decode).toList();
        }

        private List<SnapshotSeen> of(String role) {
            return view.snapshots().stream().filter(s -> s.role().equals(role)).toList();
        }

        private List<Claim> missing(String role) {
            List<String> there = of(role).stream().map(SnapshotSeen::name).toList();
            return claims().stream().filter(c -> !WAL_TAIL.equals(role) || c.holdsWal())
                    .filter(c -> !there.contains(snapshotName(c, role))).toList();
        }

        /** A VolumeSnapshot's name; for rbd, {@code <pool>/<image>@<backup id>-<claim>}. */
        private String snapshotName(Claim claim, String role) {
            String name = id() + "-" + claim.name() + (WAL_TAIL.equals(role) ? "-" + WAL_TAIL : "");
            return rbd() ? image(claim).spec() + "@" + name : name;
        }

        private boolean rbd() {
            return SnapshotDriver.RBD.wireName().equals(data.get(DRIVER));
        }

        private RbdImage image(Claim claim) {
            return RbdImage.ofSpec(data.get(RBD_IMAGE + claim.name()));
        }

        private BackupAction create(Claim claim, String role, Map<String, String> annotations) {
            CreateSnapshot row = new CreateSnapshot(namespace, snapshotName(claim, role), id(), claim.name(), role,
                    data.get(CLASS), claim.mountPath(), claim.holdsWal(), annotations);
            // Only a snapshot made since the backup began is this backup's (RbdJobs.state).
            return rbd() ? new BackupAction.CreateRbdSnapshot(row, RbdStep.takeSnapshot(id(), claim.name(),
                    image(claim), entered(Operation.START))) : row;
        }

        private List<BackupAction> createData() {
            return claims().stream().map(c -> create(c, DATA, Map.of())).toList();
        }

        private String snapshotWords(String role) {
            return (rbd() ? "rbd snap create " : "VolumeSnapshot ") + claims().stream().filter(c -> !WAL_TAIL.equals(role) || c.holdsWal())
                    .map(c -> snapshotName(c, role) + " of claim " + c.name()).collect(Collectors.joining(", "));
        }

        private static String waitingWords(List<Claim> missing, List<SnapshotSeen> notYet, String what) {
            List<String> words = new ArrayList<>();
            missing.forEach(c -> words.add("the snapshot of claim " + c.name() + " to be created"));
            notYet.forEach(s -> words.add("snapshot " + s.name() + " to be " + what
                    + s.error().map(e -> " (" + e + ")").orElse("")));
            return String.join(", ", words);
        }

        private Decision<BackupAction> reject(String reason) {
            return Decision.reject(reason, new Activity(key, "BackupRejected", false, reason));
        }

        private Decision<BackupAction> fail(String outcome) {
            return Decision.fail(outcome, new Activity(key, "BackupFailed", false, outcome));
        }

        private Decision<BackupAction> enter(String phase, String action, String step, List<BackupAction> actions) {
            data.putIfAbsent(AT + phase, now.toString());
            return new Decision<>(actions, List.of(new Activity(key, action, true, step)), Decision.Next.CONTINUE,
                    phase, data, step, null, null);
        }

        private Decision<BackupAction> waiting(String step) {
            return Decision.<BackupAction>waitFor(op.phase(), step, settings.poll()).remembering(data);
        }

        private Decision<BackupAction> waiting(String step, List<BackupAction> actions) {
            return new Decision<>(actions, List.of(), Decision.Next.WAIT, op.phase(), data, step, settings.poll(),
                    null);
        }

        private Instant entered(String phase) {
            String at = data.get(AT + phase);
            return at == null ? now : Instant.parse(at);
        }

        private boolean past(Instant from, Duration limit) {
            return now.isAfter(from.plus(limit));
        }

        private long millis() {
            return Duration.between(entered(Operation.START), now).toMillis();
        }

        private String seconds(Instant from) {
            return String.format(Locale.ROOT, "%.1f s", Duration.between(from, now).toMillis() / 1000.0);
        }

        /** ", 4 s": whole seconds up to 10 s, then steps of 5 s, then of 30 s, so a long wait publishes few steps. */
        private String lasting(Instant from) {
            long seconds = Duration.between(from, now).toSeconds();
            long step = seconds < 10 ? 1 : seconds < 60 ? 5 : 30;
            return ", " + seconds / step * step + " s";
        }
    }
}
