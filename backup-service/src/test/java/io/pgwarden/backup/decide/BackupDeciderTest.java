package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.BackupAction.CreateSnapshot;
import io.pgwarden.backup.decide.BackupView.ClaimSeen;
import io.pgwarden.backup.decide.BackupView.ClassSeen;
import io.pgwarden.backup.decide.BackupView.PodSeen;
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
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.Transitions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BackupDeciderTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:15:00Z");
    static final String ID = "pg-20261127-101500";
    static final String DRIVER = "rbd.csi.ceph.com";
    static final BackupSettings SETTINGS = new BackupSettings("csi", Optional.empty(), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(60),
            Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofMillis(500));
    static final ClaimSeen DATA_CLAIM = new ClaimSeen("data-pg-0", "/var/lib/postgresql/data", true,
            Optional.of("pv-1"), Optional.of(DRIVER));

    // The world, as the test changes it.
    Optional<StatefulSetSeen> sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION,
            "pg-credentials")));
    Optional<PodSeen> pod = Optional.of(new PodSeen("pg-0", true, false));
    List<ClaimSeen> claims = List.of(DATA_CLAIM);
    boolean secretExists = true;
    List<ClassSeen> classes = List.of(new ClassSeen("ceph-snap", DRIVER, true));
    List<SnapshotSeen> snapshots = new ArrayList<>();
    List<String> attachments = List.of();
    SessionSeen session = SessionSeen.NONE;
    Optional<String> write = Optional.empty();
    Map<String, BackupView.RbdImageSeen> rbdImages = Map.of();

    static StatefulSetSeen sts(boolean managed, int replicas, Map<String, String> annotations) {
        return new StatefulSetSeen("default", "pg", managed, replicas, annotations);
    }

    BackupView view() {
        return new BackupView(sts, pod, claims, secretExists, classes, snapshots, attachments, session, write, false,
                rbdImages);
    }

    static TakeBackup take(BackupMethod method) {
        return new TakeBackup("default", "pg", method, null, null, null, null);
    }

    static Operation accepted() {
        return new Operation("op-1", 1, "TakeBackup", "default/pg", "io.pgwarden.TakeBackup", "op-1", new byte[0],
                Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, T0, null, null, null, 1, T0, T0);
    }

    static Operation after(Operation op, Decision<?> d, Instant now) {
        return Transitions.decided(op, d, now).operation();
    }

    Decision<BackupAction> decide(Operation op, TakeBackup command, Instant now) {
        return BackupDecider.decide(op, command, view(), now, SETTINGS);
    }

    /** What the snapshot controller shows for each CreateSnapshot: cut and ready as asked. */
    void created(List<BackupAction> actions, boolean cut, boolean ready) {
        for (BackupAction a : actions) {
            if (a instanceof CreateSnapshot c) {
                snapshots.removeIf(s -> s.name().equals(c.name()));
                snapshots.add(new SnapshotSeen(c.name(), c.claim(), c.role(), cut, ready,
                        ready ? Optional.of(1L << 30) : Optional.empty(), Optional.of("snapcontent-" + c.name()),
                        cut ? Optional.of(T0.toString()) : Optional.empty(), Optional.empty()));
            }
        }
    }

    void allReady() {
        List<SnapshotSeen> ready = snapshots.stream().map(s -> new SnapshotSeen(s.name(), s.claim(), s.role(), true,
                true, Optional.of(1L << 30), s.content(), Optional.of(T0.toString()), Optional.empty())).toList();
        snapshots.clear();
        snapshots.addAll(ready);
    }

    @Test
    void the_backup_id_is_the_cluster_and_the_time_of_acceptance_in_utc() {
        assertThat(BackupDecider.backupId("pg", T0)).isEqualTo(ID);
    }

    @Test
    void an_online_backup_starts_snapshots_every_claim_inside_the_session_stops_and_snapshots_the_wal_tail() {
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, take(null), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.STARTING_BACKUP);
        assertThat(d.actions()).containsExactly(
                new BackupAction.RecordStarted(ID, "default", "pg", "online", "csi", ID, "op-1", T0, null),
                new BackupAction.StartSession("op-1", "default", "pg", ID));
        assertThat(d.activities()).singleElement().satisfies(a -> assertThat(a.action()).isEqualTo("BackupStarting"));
        op = after(op, d, T0);

        session = new SessionSeen(SessionSeen.State.STARTED, Optional.of("0/3000028"), Optional.empty(),
                Optional.empty());
        d = decide(op, take(null), T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        assertThat(d.actions()).containsExactly(new CreateSnapshot("default", ID + "-data-pg-0", ID, "data-pg-0",
                "data", "ceph-snap", "/var/lib/postgresql/data", true, Map.of()));
        op = after(op, d, T0.plusSeconds(1));

        created(d.actions(), false, false);
        d = decide(op, take(null), T0.plusSeconds(3));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).isEqualTo("waiting for snapshot " + ID + "-data-pg-0 to be cut, 2 s");

        created(List.of(new CreateSnapshot("default", ID + "-data-pg-0", ID, "data-pg-0", "data", "ceph-snap",
                "/var/lib/postgresql/data", true, Map.of())), true, false);
        d = decide(op, take(null), T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(BackupDecider.STOPPING_BACKUP);
        assertThat(d.actions()).containsExactly(new BackupAction.StopSession("op-1"));
        op = after(op, d, T0.plusSeconds(4));

        session = new SessionSeen(SessionSeen.State.STOPPED, Optional.of("0/3000028"), Optional.of(new StopResult(
                "0/3000138", "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n", "")),
                Optional.empty());
        d = decide(op, take(null), T0.plusSeconds(5));
        assertThat(d.phase()).isEqualTo(BackupDecider.FINISHING);
        Map<String, String> label = Map.of(Names.BACKUP_LABEL_ANNOTATION,
                "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n", Names.TABLESPACE_MAP_ANNOTATION, "",
                Names.STOP_LSN_ANNOTATION, "0/3000138");
        assertThat(d.actions()).containsExactly(new BackupAction.CloseSession("op-1"),
                new BackupAction.RecordLsns(ID, "0/3000028", "0/3000138",
                        "START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n", ""),
                new BackupAction.AnnotateSnapshots("default", ID, label),
                new CreateSnapshot("default", ID + "-data-pg-0-wal-tail", ID, "data-pg-0", "wal-tail", "ceph-snap",
                        "/var/lib/postgresql/data", true, label));
        op = after(op, d, T0.plusSeconds(5));

        session = SessionSeen.NONE; // closed: no longer needed
        created(d.actions(), true, false);
        d = decide(op, take(null), T0.plusSeconds(6));
        assertThat(d.step()).startsWith("waiting for snapshot " + ID + "-data-pg-0 to be ready, snapshot " + ID
                + "-data-pg-0-wal-tail to be ready");
        allReady();
        d = decide(op, take(null), T0.plusSeconds(7));
        assertThat(d.phase()).isEqualTo(BackupDecider.COMPLETED);
        assertThat(d.actions()).singleElement().isInstanceOf(BackupAction.RecordCompleted.class);
        BackupAction.RecordCompleted completed = (BackupAction.RecordCompleted) d.actions().get(0);
        assertThat(completed.sizeBytes()).isEqualTo(2L << 30);
        assertThat(completed.millis()).isEqualTo(7000);
        op = after(op, d, T0.plusSeconds(7));
        d = decide(op, take(null), T0.plusSeconds(7));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("backup " + ID + " of default/pg (online, csi) completed in 7.0 s:"
                + " snapshots " + ID + "-data-pg-0 (data of data-pg-0, 1073741824 bytes), " + ID
                + "-data-pg-0-wal-tail (wal-tail of data-pg-0, 1073741824 bytes); start LSN 0/3000028, stop LSN"
                + " 0/3000138");
    }

    @Test
    void a_separate_wal_claim_is_snapshotted_inside_the_session_and_only_it_again_after_the_stop() {
        claims = List.of(new ClaimSeen("data-pg-0", "/var/lib/postgresql/data", false, Optional.of("pv-1"),
                        Optional.of(DRIVER)),
                new ClaimSeen("wal-pg-0", "/var/lib/postgresql/wal", true, Optional.of("pv-2"), Optional.of(DRIVER)));
        Operation op = after(accepted(), decide(accepted(), take(null), T0), T0);
        session = new SessionSeen(SessionSeen.State.STARTED, Optional.of("0/3000028"), Optional.empty(),
                Optional.empty());
        Decision<BackupAction> d = decide(op, take(null), T0);
        assertThat(d.actions()).extracting(a -> ((CreateSnapshot) a).name())
                .containsExactly(ID + "-data-pg-0", ID + "-wal-pg-0");
        op = after(op, d, T0);
        created(d.actions(), true, false);
        op = after(op, decide(op, take(null), T0), T0);
        session = new SessionSeen(SessionSeen.State.STOPPED, Optional.of("0/3000028"),
                Optional.of(new StopResult("0/3000138", "START WAL LOCATION: x\n", null)), Optional.empty());
        d = decide(op, take(null), T0);
        assertThat(d.actions()).filteredOn(CreateSnapshot.class::isInstance)
                .extracting(a -> ((CreateSnapshot) a).name()).containsExactly(ID + "-wal-pg-0-wal-tail");
    }

    @Test
    void the_session_lost_after_a_restart_fails_the_backup_and_deletes_its_snapshots() {
        Operation op = after(accepted(), decide(accepted(), take(null), T0), T0);
        session = new SessionSeen(SessionSeen.State.STARTED, Optional.of("0/3000028"), Optional.empty(),
                Optional.empty());
        Decision<BackupAction> d = decide(op, take(null), T0.plusSeconds(1));
        op = after(op, d, T0.plusSeconds(1));
        created(d.actions(), false, false);

        session = SessionSeen.NONE; // backup-service restarted
        d = decide(op, take(null), T0.plusSeconds(2));
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.actions()).startsWith(new BackupAction.CloseSession("op-1"),
                new BackupAction.DeleteSnapshots("default", ID));
        assertThat(d.actions()).last().isInstanceOf(BackupAction.RecordFailed.class);
        assertThat(((BackupAction.RecordFailed) d.actions().get(2)).error()).isEqualTo("the backup session was lost"
                + " (backup-service restarted and a session does not survive it); PostgreSQL ended the backup with it");
        op = after(op, d, T0.plusSeconds(2));

        d = decide(op, take(null), T0.plusSeconds(3));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).contains(new BackupAction.DeleteSnapshots("default", ID));
        snapshots.clear();
        d = decide(op, take(null), T0.plusSeconds(4));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("backup " + ID + " of default/pg failed: the backup session was lost"
                + " (backup-service restarted and a session does not survive it); PostgreSQL ended the backup with"
                + " it; its snapshots are deleted");
    }

    @Test
    void a_terminated_backend_and_a_failed_start_fail_with_what_the_session_said() {
        Operation op = after(accepted(), decide(accepted(), take(null), T0), T0);
        session = new SessionSeen(SessionSeen.State.LOST, Optional.empty(), Optional.empty(),
                Optional.of("pg_backup_start on default/pg: FATAL: no"));
        Decision<BackupAction> d = decide(op, take(null), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.step()).contains("pg_backup_start failed: pg_backup_start on default/pg: FATAL: no");

        session = new SessionSeen(SessionSeen.State.STARTED, Optional.of("0/1"), Optional.empty(), Optional.empty());
        Decision<BackupAction> started = decide(op, take(null), T0);
        op = after(op, started, T0);
        session = new SessionSeen(SessionSeen.State.LOST, Optional.of("0/1"), Optional.empty(),
                Optional.of("the connection to the database ended"));
        d = decide(op, take(null), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.step()).contains("the backup session was lost (the connection to the database ended)");
    }

    @Test
    void a_restart_before_the_session_opened_opens_it_again_until_the_start_times_out() {
        Operation op = after(accepted(), decide(accepted(), take(null), T0), T0);
        Decision<BackupAction> d = decide(op, take(null), T0.plusSeconds(5));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).containsExactly(new BackupAction.StartSession("op-1", "default", "pg", ID));
        d = decide(op, take(null), T0.plusSeconds(31));
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.step()).contains("pg_backup_start did not return within PT30S");
    }

    @Test
    void snapshots_not_cut_in_time_fail_the_backup_with_what_the_snapshot_controller_said() {
        Operation op = after(accepted(), decide(accepted(), take(BackupMethod.CRASH_CONSISTENT), T0), T0);
        assertThat(op.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        snapshots.add(new SnapshotSeen(ID + "-data-pg-0", "data-pg-0", "data", false, false, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of("Failed to check and update snapshot content")));
        Decision<BackupAction> d = decide(op, take(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(61));
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.step()).contains("the snapshots were not cut within PT1M: still waiting for snapshot " + ID
                + "-data-pg-0 to be cut (Failed to check and update snapshot content)");
        op = after(op, d, T0.plusSeconds(61));
        d = decide(op, take(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(92));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).contains("snapshots " + ID + "-data-pg-0 still exist after PT30S: delete them"
                + " (label pgwarden.io/backup=" + ID + ")");
    }

    @Test
    void a_crash_consistent_backup_snapshots_and_waits_until_ready() {
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, take(BackupMethod.CRASH_CONSISTENT), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        assertThat(d.actions()).hasSize(2).last().isInstanceOf(CreateSnapshot.class);
        op = after(op, d, T0);
        created(d.actions(), true, false);
        d = decide(op, take(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(BackupDecider.FINISHING);
        op = after(op, d, T0.plusSeconds(1));
        allReady();
        d = decide(op, take(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(2));
        assertThat(d.phase()).isEqualTo(BackupDecider.COMPLETED);
        assertThat(d.step()).isEqualTo("backup " + ID + " of default/pg (crash-consistent, csi) completed in 2.0 s:"
                + " snapshots " + ID + "-data-pg-0 (data of data-pg-0, 1073741824 bytes)");
    }

    @Test
    void a_cold_backup_scales_to_zero_snapshots_scales_back_and_waits_for_a_write() {
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, take(BackupMethod.COLD), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.STOPPING_DATABASE);
        assertThat(d.actions()).contains(new BackupAction.Annotate("default", "pg",
                Map.of(Names.STOPPED_REPLICAS_ANNOTATION, "1")), new BackupAction.Scale("default", "pg", 0));
        op = after(op, d, T0);
        sts = Optional.of(sts(true, 0, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "pg-credentials",
                Names.STOPPED_REPLICAS_ANNOTATION, "1")));
        attachments = List.of("csi-1");
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(2));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 to stop, 2 s");
        pod = Optional.empty();
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(3));
        assertThat(d.step()).isEqualTo("waiting for 1 volume attachments to go (csi-1), 3 s");
        attachments = List.of();
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        op = after(op, d, T0.plusSeconds(4));
        created(d.actions(), true, false);
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(5));
        assertThat(d.phase()).isEqualTo(BackupDecider.STARTING_DATABASE);
        Map<String, String> remove = new HashMap<>();
        remove.put(Names.STOPPED_REPLICAS_ANNOTATION, null);
        assertThat(d.actions()).containsExactly(new BackupAction.Scale("default", "pg", 1),
                new BackupAction.Annotate("default", "pg", remove));
        op = after(op, d, T0.plusSeconds(5));
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "pg-credentials")));
        pod = Optional.of(new PodSeen("pg-0", true, false));
        assertThat(BackupDecider.wantsWrite(op, view())).isTrue();
        write = Optional.of("the server is read-only");
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(6));
        assertThat(d.step()).isEqualTo("waiting for a write (the server is read-only), 1 s");
        write = Optional.of("");
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(7));
        assertThat(d.phase()).isEqualTo(BackupDecider.FINISHING);
        assertThat(d.step()).startsWith("default/pg accepts writes again after 7.0 s of outage");
    }

    @Test
    void a_cold_backup_that_fails_scales_the_database_back() {
        Operation op = after(accepted(), decide(accepted(), take(BackupMethod.COLD), T0), T0);
        sts = Optional.of(sts(true, 0, Map.of(Names.STOPPED_REPLICAS_ANNOTATION, "1")));
        Decision<BackupAction> d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(61));
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.actions()).contains(new BackupAction.Scale("default", "pg", 1));
        op = after(op, d, T0.plusSeconds(61));
        d = decide(op, take(BackupMethod.COLD), T0.plusSeconds(62));
        assertThat(d.outcome()).endsWith("; its snapshots are deleted; default/pg is scaled back to 1");
    }

    // ---- refusals ----

    String rejected(TakeBackup command) {
        Decision<BackupAction> d = decide(accepted(), command, T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.actions()).isEmpty();
        return d.outcome();
    }

    @Test
    void an_unknown_or_unmanaged_database_is_refused() {
        sts = Optional.empty();
        assertThat(rejected(take(null))).isEqualTo("no StatefulSet pg in namespace default: no such database (check"
                + " the namespace and the name)");
        sts = Optional.of(sts(false, 1, Map.of()));
        assertThat(rejected(take(null))).isEqualTo("StatefulSet default/pg is not managed by pgwarden: label it"
                + " pgwarden.io/managed=true first");
    }

    static final RbdImage IMAGE = new RbdImage("replicapool", "", "csi-vol-1");
    static final String RBD_SNAPSHOT = "replicapool/csi-vol-1@" + ID + "-data-pg-0";

    static TakeBackup takeRbd(BackupMethod method) {
        return new TakeBackup("default", "pg", method, SnapshotDriver.RBD, null, null, null);
    }

    @Test
    void an_online_backup_with_the_rbd_driver_is_refused_saying_to_use_cold_or_crash_consistent() {
        rbdImages = Map.of("data-pg-0", BackupView.RbdImageSeen.of(IMAGE));
        assertThat(rejected(takeRbd(BackupMethod.ONLINE))).startsWith("an online backup with the rbd driver is"
                + " refused").contains("ask for method cold or crash-consistent with rbd, or for driver csi");
        sts = Optional.of(sts(true, 1, Map.of(Names.SNAPSHOT_DRIVER_ANNOTATION, "rbd",
                Names.CREDENTIALS_SECRET_ANNOTATION, "pg-credentials")));
        assertThat(rejected(take(null))).startsWith("an online backup with the rbd driver is refused");
    }

    @Test
    void the_rbd_driver_refuses_a_claim_without_an_rbd_image_saying_why() {
        rbdImages = Map.of("data-pg-0", BackupView.RbdImageSeen.refused("PV pv-1 is not a CSI volume; the rbd"
                + " snapshot driver needs a ceph-csi RBD volume: use the csi driver for this database"));
        assertThat(rejected(takeRbd(BackupMethod.CRASH_CONSISTENT))).isEqualTo("the rbd driver cannot snapshot"
                + " claim default/data-pg-0 of default/pg: PV pv-1 is not a CSI volume; the rbd snapshot driver needs a"
                + " ceph-csi RBD volume: use the csi driver for this database");
    }

    /** What the rbd Jobs show: the snapshot made (or the Job failed, with rbd's error). */
    void rbdJob(String name, boolean made, Optional<String> error) {
        snapshots.removeIf(s -> s.name().equals(name));
        snapshots.add(new SnapshotSeen(name, "data-pg-0", "data", made, made, Optional.empty(), Optional.empty(),
                Optional.empty(), error));
    }

    @Test
    void a_crash_consistent_rbd_backup_runs_rbd_snap_create_in_a_job_and_records_the_snapshot_spec() {
        rbdImages = Map.of("data-pg-0", BackupView.RbdImageSeen.of(IMAGE));
        classes = List.of(); // the rbd driver needs no VolumeSnapshotClass
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        assertThat(d.actions()).containsExactly(
                new BackupAction.RecordStarted(ID, "default", "pg", "crash-consistent", "rbd", ID, "op-1", T0, null),
                new BackupAction.CreateRbdSnapshot(new CreateSnapshot("default", RBD_SNAPSHOT, ID, "data-pg-0", "data",
                        "", "/var/lib/postgresql/data", true, Map.of()),
                        RbdStep.takeSnapshot(ID, "data-pg-0", IMAGE, T0)));
        assertThat(d.step()).endsWith("rbd snap create " + RBD_SNAPSHOT + " of claim data-pg-0");
        op = after(op, d, T0);

        rbdImages = Map.of();
        rbdJob(RBD_SNAPSHOT, false, Optional.empty());
        d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(2));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        rbdJob(RBD_SNAPSHOT, true, Optional.empty());
        d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(3));
        assertThat(d.phase()).isEqualTo(BackupDecider.FINISHING);
        op = after(op, d, T0.plusSeconds(3));
        d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(BackupDecider.COMPLETED);
        assertThat(d.actions()).singleElement().isInstanceOf(BackupAction.RecordCompleted.class);
    }

    @Test
    void a_failed_rbd_snap_create_fails_the_backup_at_once_and_removes_nothing_it_did_not_make() {
        rbdImages = Map.of("data-pg-0", BackupView.RbdImageSeen.of(IMAGE));
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0);
        op = after(op, d, T0);
        String error = "rbd snap create " + RBD_SNAPSHOT + ": a snapshot of that name exists from"
                + " 2026-11-27T09:00:00Z, before this step began (2026-11-27T10:15:00Z), so it is not this backup's;"
                + " remove or rename it";
        rbdJob(RBD_SNAPSHOT, false, Optional.of(error));
        d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.actions()).noneMatch(BackupAction.RemoveRbdSnapshots.class::isInstance);
        assertThat(((BackupAction.RecordFailed) d.actions().get(1)).error()).isEqualTo(error);
        op = after(op, d, T0.plusSeconds(1));

        d = decide(op, takeRbd(BackupMethod.CRASH_CONSISTENT), T0.plusSeconds(2));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("backup " + ID + " of default/pg failed: " + error
                + "; its snapshots are deleted");
    }

    @Test
    void a_failed_cold_rbd_backup_removes_its_made_snapshot_by_rbd_snap_rm_and_scales_back() {
        rbdImages = Map.of("data-pg-0", BackupView.RbdImageSeen.of(IMAGE));
        Operation op = accepted();
        Decision<BackupAction> d = decide(op, takeRbd(BackupMethod.COLD), T0);
        assertThat(d.phase()).isEqualTo(BackupDecider.STOPPING_DATABASE);
        op = after(op, d, T0);
        sts = Optional.of(sts(true, 0, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "pg-credentials",
                Names.STOPPED_REPLICAS_ANNOTATION, "1")));
        pod = Optional.empty();
        d = decide(op, takeRbd(BackupMethod.COLD), T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(BackupDecider.SNAPSHOTTING);
        op = after(op, d, T0.plusSeconds(1));
        rbdJob(RBD_SNAPSHOT, true, Optional.empty());
        d = decide(op, takeRbd(BackupMethod.COLD), T0.plusSeconds(2));
        assertThat(d.phase()).isEqualTo(BackupDecider.STARTING_DATABASE);
        op = after(op, d, T0.plusSeconds(2));

        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "pg-credentials")));
        d = decide(op, takeRbd(BackupMethod.COLD), T0.plusSeconds(200)); // its pod never came back
        assertThat(d.phase()).isEqualTo(BackupDecider.CLEANING_UP);
        assertThat(d.actions()).contains(new BackupAction.RemoveRbdSnapshots(List.of(
                RbdStep.removeSnapshot(ID, "data-pg-0", IMAGE))), new BackupAction.Scale("default", "pg", 1));
        op = after(op, d, T0.plusSeconds(200));
        snapshots.clear(); // its rbd snap rm succeeded
        d = decide(op, takeRbd(BackupMethod.COLD), T0.plusSeconds(201));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).endsWith("its snapshots are deleted; default/pg is scaled back to 1");
    }

    @Test
    void replicas_other_than_one_and_a_database_not_running_are_refused() {
        sts = Optional.of(sts(true, 0, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s")));
        assertThat(rejected(take(null))).isEqualTo("default/pg has replicas 0, not 1: pgwarden backs up only a"
                + " running single-primary StatefulSet (start it first)");
        sts = Optional.of(sts(true, 3, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s")));
        assertThat(rejected(take(null))).contains("has replicas 3, not 1");
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s")));
        pod = Optional.of(new PodSeen("pg-0", false, false));
        assertThat(rejected(take(BackupMethod.ONLINE))).isEqualTo("default/pg is not running (pod pg-0 is not"
                + " Ready): an online backup needs it running; wait until it is, or take a cold backup");
        assertThat(rejected(take(BackupMethod.CRASH_CONSISTENT))).contains("is not running");
        assertThat(decide(accepted(), take(BackupMethod.COLD), T0).next()).isEqualTo(Decision.Next.CONTINUE);
    }

    @Test
    void a_crash_consistent_backup_of_several_claims_is_refused() {
        claims = List.of(DATA_CLAIM, new ClaimSeen("wal-pg-0", "/wal", true, Optional.of("pv-2"),
                Optional.of(DRIVER)));
        assertThat(rejected(take(BackupMethod.CRASH_CONSISTENT))).isEqualTo("a crash-consistent backup of"
                + " default/pg is refused: its pod has 2 claims (data-pg-0, wal-pg-0), and snapshots of several"
                + " volumes are not atomic together; use online or cold");
    }

    @Test
    void missing_credentials_are_refused_for_the_methods_that_connect() {
        secretExists = false;
        assertThat(rejected(take(BackupMethod.ONLINE))).isEqualTo("the Secret default/pg-credentials that"
                + " StatefulSet default/pg names in pgwarden.io/credentials-secret does not exist: create it (keys"
                + " username, password)");
        assertThat(rejected(take(BackupMethod.COLD))).contains("does not exist: create it");
        assertThat(decide(accepted(), take(BackupMethod.CRASH_CONSISTENT), T0).next())
                .isEqualTo(Decision.Next.CONTINUE);
        sts = Optional.of(sts(true, 1, Map.of()));
        assertThat(rejected(take(BackupMethod.ONLINE))).startsWith("StatefulSet default/pg has no annotation"
                + " pgwarden.io/credentials-secret");
    }

    @Test
    void a_missing_snapshot_class_is_refused() {
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s",
                Names.VOLUME_SNAPSHOT_CLASS_ANNOTATION, "gold")));
        assertThat(rejected(take(null))).isEqualTo("VolumeSnapshotClass gold (named by"
                + " pgwarden.io/volume-snapshot-class on default/pg) does not exist: create it, or name another");
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s")));
        classes = List.of(new ClassSeen("other", "other.csi", true));
        assertThat(rejected(take(null))).isEqualTo("no default VolumeSnapshotClass for driver rbd.csi.ceph.com of"
                + " default/pg's volumes: name one in pgwarden.io/volume-snapshot-class on the StatefulSet");
    }

    @Test
    void an_unknown_method_annotation_is_refused_and_the_annotations_choose_the_method() {
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s",
                Names.BACKUP_METHOD_ANNOTATION, "tar")));
        assertThat(rejected(take(null))).isEqualTo("StatefulSet default/pg has pgwarden.io/backup-method=tar: set it"
                + " to online, crash-consistent or cold, or name the method in the request");
        sts = Optional.of(sts(true, 1, Map.of(Names.CREDENTIALS_SECRET_ANNOTATION, "s",
                Names.BACKUP_METHOD_ANNOTATION, "cold")));
        assertThat(decide(accepted(), take(null), T0).phase()).isEqualTo(BackupDecider.STOPPING_DATABASE);
    }
}
