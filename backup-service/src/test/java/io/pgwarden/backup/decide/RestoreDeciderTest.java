package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.RestoreAction.BindClaimToVolume;
import io.pgwarden.backup.decide.RestoreAction.CreateClaimFromSnapshot;
import io.pgwarden.backup.decide.RestoreAction.CreateHelperJob;
import io.pgwarden.backup.decide.RestoreAction.DeleteClaim;
import io.pgwarden.backup.decide.RestoreAction.RecordEnd;
import io.pgwarden.backup.decide.RestoreAction.RecordStart;
import io.pgwarden.backup.decide.RestoreAction.RecordUndone;
import io.pgwarden.backup.decide.RestoreAction.Scale;
import io.pgwarden.backup.decide.RestoreAction.SetReclaimPolicy;
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
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.Transitions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RestoreDeciderTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    static final RestoreSettings SETTINGS = new RestoreSettings(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMillis(500));
    static final String CLAIM = "data-pg-0";
    static final String OLD_PV = "pv-old";
    static final String ID = "pg-20261127-090000";
    static final RestoreBackup RESTORE = new RestoreBackup("default", "pg", ID, null);

    /** A database of one claim, as the world would show it, changed by the actions the decider asks for. */
    final class World {
        boolean managed = true;
        int replicas = 1;
        PodSeen pod = new PodSeen("pg-0", "uid-1", "node001", true, false);
        BackupSeen backup = online("completed", "csi");
        RestoreSeen restore;
        Map<String, ClaimSeen> claims = new HashMap<>(Map.of(CLAIM, claim(CLAIM, OLD_PV)));
        Map<String, VolumeSeen> volumes = new HashMap<>(Map.of(OLD_PV, volume(OLD_PV, "Delete", "Bound")));
        Map<String, Boolean> snapshots = new HashMap<>(Map.of(ID + "-data", true, ID + "-wal-tail", true));
        List<String> attachments = List.of();
        JobSeen job;
        DatabaseSeen database;
        Map<String, String> rbdImages = new HashMap<>();
        Map<String, RbdJobState> rbdJobs = new HashMap<>();

        RestoreView view() {
            return new RestoreView(Optional.of(new StatefulSetSeen("default", "pg", managed, replicas, Map.of(),
                    "postgres:17.6", "/var/lib/postgresql/data/pgdata")), Optional.ofNullable(pod),
                    Optional.ofNullable(backup), Optional.ofNullable(restore), claims, volumes, snapshots, attachments,
                    Optional.ofNullable(job), Optional.ofNullable(database), rbdImages, rbdJobs);
        }

        /** An rbd step's Job ends as asked. */
        void rbdJob(RbdStep step, RbdJobState.Phase phase) {
            rbdJobs.put(step.jobName(), new RbdJobState(step.jobName(), phase, "rbd snap " + step.action().word() + " "
                    + step.snapshotSpec() + (phase == RbdJobState.Phase.FAILED ? " failed with exit code 16: rbd:"
                    + " rollback failed: (16) Device or resource busy" : "")));
        }

        void apply(List<RestoreAction> actions) {
            for (RestoreAction a : actions) {
                if (a instanceof Scale s) {
                    replicas = s.replicas();
                } else if (a instanceof SetReclaimPolicy p) {
                    VolumeSeen v = volumes.get(p.volume());
                    volumes.put(v.name(), new VolumeSeen(v.name(), p.policy(), v.phase(), v.claimRef(), v.storageClass(),
                            v.accessModes(), v.capacity()));
                } else if (a instanceof DeleteClaim d) {
                    ClaimSeen c = claims.remove(d.claim());
                    if (c != null && c.volumeName().equals(OLD_PV)) {
                        volumes.put(OLD_PV, new VolumeSeen(OLD_PV, volumes.get(OLD_PV).reclaimPolicy(), "Released",
                                "default/" + CLAIM, "rbd", List.of("ReadWriteOnce"), "1Gi"));
                    }
                } else if (a instanceof CreateClaimFromSnapshot c) {
                    claims.put(c.claim(), claim(c.claim(), "pv-new-" + c.claim()));
                } else if (a instanceof BindClaimToVolume b) {
                    claims.put(b.claim(), claim(b.claim(), b.volume()));
                } else if (a instanceof CreateHelperJob j) {
                    job = new JobSeen(j.job(), false, false, null);
                } else if (a instanceof RestoreAction.DeleteJob) {
                    job = null;
                } else if (a instanceof RestoreAction.StartRbdStep r) {
                    rbdJobs.putIfAbsent(r.step().jobName(), new RbdJobState(r.step().jobName(),
                            RbdJobState.Phase.RUNNING, "running"));
                }
            }
        }
    }

    static final String LABEL = "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTART TIMELINE: 1\n";

    static BackupSeen online(String phase, String driver) {
        return new BackupSeen(ID, "default", "pg", "online", driver, phase, Optional.of("0/3000100"),
                Optional.of(LABEL), Optional.empty(), Optional.empty(), List.of(
                new SnapshotSeen(CLAIM, "data", ID + "-data", 1L << 30, "/var/lib/postgresql/data", true),
                new SnapshotSeen(CLAIM, "wal-tail", ID + "-wal-tail", 1L << 30, "/var/lib/postgresql/data", true)));
    }

    static ClaimSeen claim(String name, String volume) {
        return new ClaimSeen(name, volume, true, "rbd", List.of("ReadWriteOnce"), "1Gi", false);
    }

    static VolumeSeen volume(String name, String policy, String phase) {
        return new VolumeSeen(name, policy, phase, "default/" + CLAIM, "rbd", List.of("ReadWriteOnce"), "1Gi");
    }

    static Operation accepted(String kind) {
        return new Operation("op-1", 1, kind, "default/pg", "io.pgwarden." + kind, "op-1", new byte[0],
                Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, T0, null, null, null, 1, T0, T0);
    }

    static Operation after(Operation op, Decision<?> d, Instant now) {
        return Transitions.decided(op, d, now).operation();
    }

    final World world = new World();

    Decision<RestoreAction> restore(Operation op, Instant now) {
        return RestoreDecider.restore(op, RESTORE, world.view(), now, SETTINGS);
    }

    /** Decides, applies, and persists, as the driver does. */
    Operation step(Operation op, Instant now, String expectedPhase) {
        Decision<RestoreAction> d = restore(op, now);
        assertThat(d.phase()).as(d.step()).isEqualTo(expectedPhase);
        world.apply(d.actions());
        return after(op, d, now);
    }

    /** Runs a restore to the database stopped and its claim swapped, as the online test and the failures need. */
    Operation toPreparing() {
        Operation op = accepted("RestoreBackup");
        Decision<RestoreAction> d = restore(op, T0);
        assertThat(d.phase()).isEqualTo(RestoreDecider.STOPPING);
        assertThat(d.actions()).first().isEqualTo(new RecordStart("op-1", ID, "default", "pg"));
        assertThat(d.actions()).contains(new Scale("default", "pg", 0));
        world.apply(d.actions());
        op = after(op, d, T0);
        d = restore(op, T0.plusSeconds(1));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 to stop on node node001, 1 s");
        world.pod = null;
        op = step(op, T0.plusSeconds(2), RestoreDecider.RETAINING);
        assertThat(world.volumes.get(OLD_PV).reclaimPolicy()).isEqualTo("Retain");
        op = step(op, T0.plusSeconds(2), RestoreDecider.SWAPPING);
        assertThat(world.claims).doesNotContainKey(CLAIM);
        op = step(op, T0.plusSeconds(3), RestoreDecider.SWAPPING);
        assertThat(world.claims.get(CLAIM).volumeName()).isEqualTo("pv-new-" + CLAIM);
        assertThat(world.claims).containsKey(RestoreDecider.scratchClaim("op-1"));
        return step(op, T0.plusSeconds(4), RestoreDecider.PREPARING);
    }

    @Test
    void an_online_restore_goes_through_every_phase_and_recovers_to_the_stop_lsn() {
        Operation op = toPreparing();
        assertThat(world.job.name()).isEqualTo("pgwarden-restore-op1");
        world.job = new JobSeen(world.job.name(), true, false, null);
        op = step(op, T0.plusSeconds(5), RestoreDecider.STARTING);
        assertThat(world.job).isNull();
        assertThat(world.claims).doesNotContainKey(RestoreDecider.scratchClaim("op-1"));
        assertThat(world.replicas).isEqualTo(1);

        world.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.of("0/3000000"), Optional.of(2L));
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(6));
        assertThat(d.outcome()).isNull();
        assertThat(d.phase()).as(d.step()).isEqualTo(RestoreDecider.UNSWAPPING);
        assertThat(d.step()).isEqualTo("putting the previous volumes of default/pg back: recovery of default/pg ended at"
                + " 0/3000000, before the backup's stop LSN 0/3000100");

        // a first start that failed after recovery.signal was consumed: crash recovery replayed past the stop LSN
        world.database = new DatabaseSeen(Optional.empty(), Optional.of("0/5000000"), Optional.of(1L));
        d = restore(op, T0.plusSeconds(6));
        assertThat(d.phase()).as(d.step()).isEqualTo(RestoreDecider.UNSWAPPING);
        assertThat(d.step()).contains("did not stop at the backup's stop LSN 0/3000100",
                "writes on timeline 1, the backup's own");

        world.database = new DatabaseSeen(Optional.empty(), Optional.of("0/4000000"), Optional.of(2L));
        op = step(op, T0.plusSeconds(6), RestoreDecider.RESETTING);
        d = restore(op, T0.plusSeconds(6));
        assertThat(d.phase()).isEqualTo(RestoreDecider.RESTORED);
        assertThat(d.actions()).first().isEqualTo(new RecordEnd("op-1", false, null, 6000));
        op = after(op, d, T0.plusSeconds(6));
        d = restore(op, T0.plusSeconds(6));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("restored default/pg from backup " + ID + ", recovered to 0/4000000; writes"
                + " accepted 6000 ms after the request; previous volumes retained (data-pg-0 -> pv-old), undo with"
                + " restore id op-1");
    }

    @Test
    void the_helper_job_writes_backup_label_the_wal_tail_and_the_recovery_target() {
        Operation op = toPreparing();
        assertThat(restore(op, T0.plusSeconds(5)).actions()).as("not created again while it exists").isEmpty();
        world.job = null;
        CreateHelperJob job = (CreateHelperJob) restore(op, T0.plusSeconds(5)).actions().get(0);
        assertThat(job.image()).isEqualTo("postgres:17.6");
        assertThat(job.mounts()).containsEntry(CLAIM, "/var/lib/postgresql/data")
                .containsEntry(RestoreDecider.scratchClaim("op-1"), "/pgwarden/wal-tail");
        assertThat(job.env()).containsEntry("BACKUP_LABEL", LABEL);
        assertThat(job.script()).contains("'/pgwarden/wal-tail/pgdata/pg_wal'/*", "recovery.signal",
                "recovery_target_lsn = '0/3000100'", "recovery_target_action = 'promote'", "restore_command = 'false'");
    }

    @Test
    void a_crash_consistent_restore_starts_without_a_helper_job() {
        world.backup = new BackupSeen(ID, "default", "pg", "crash-consistent", "csi", "completed", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(new SnapshotSeen(CLAIM, "data",
                ID + "-data", null, "/var/lib/postgresql/data", true)));
        Operation op = step(accepted("RestoreBackup"), T0, RestoreDecider.STOPPING);
        world.pod = null;
        op = step(op, T0, RestoreDecider.RETAINING);
        op = step(op, T0, RestoreDecider.SWAPPING);
        op = step(op, T0, RestoreDecider.SWAPPING);
        op = step(op, T0, RestoreDecider.STARTING);
        assertThat(world.replicas).isEqualTo(1);
        world.pod = new PodSeen("pg-0", "uid-2", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        op = step(op, T0.plusSeconds(3), RestoreDecider.RESTORED);
        assertThat(restore(op, T0.plusSeconds(3)).next()).isEqualTo(Decision.Next.SUCCEED);
    }

    @Test
    void refusals_say_what_to_change() {
        assertThat(rejection()).isNull();
        world.backup = null;
        assertThat(rejection()).isEqualTo("no backup " + ID + " in the catalog: list the database's backups with GET"
                + " /api/v1/clusters/default/pg/backups and pick one");
        for (String phase : List.of("failed", "deleted", "running")) {
            world.backup = online(phase, "csi");
            assertThat(rejection()).isEqualTo("backup " + ID + " is " + phase + ", not completed: only a completed backup"
                    + " can be restored; pick another one");
        }
        world.backup = online("completed", "rbd");
        assertThat(rejection()).startsWith("backup " + ID + " is an online backup of the rbd driver, which a rollback"
                + " cannot recover");
        world.backup = online("completed", "csi");
        world.snapshots.remove(ID + "-data");
        assertThat(rejection()).isEqualTo("VolumeSnapshot default/" + ID + "-data of backup " + ID + " is gone: the"
                + " backup cannot be restored; pick another one");
        world.managed = false;
        assertThat(rejection()).isEqualTo("StatefulSet default/pg is not managed by pgwarden: label it"
                + " pgwarden.io/managed=true first");
    }

    private String rejection() {
        Decision<RestoreAction> d = restore(accepted("RestoreBackup"), T0);
        return d.next() == Decision.Next.REJECT ? d.outcome() : null;
    }

    @Test
    void a_failure_after_the_swap_puts_the_old_volume_back_and_fails_with_the_reason() {
        Operation op = toPreparing();
        world.job = new JobSeen(world.job.name(), false, true, "BackoffLimitExceeded: Job has reached the specified"
                + " backoff limit");
        op = step(op, T0.plusSeconds(5), RestoreDecider.UNSWAPPING);
        // the Job is deleted, then the restored claim, then the claim is bound to the retained volume again
        op = step(op, T0.plusSeconds(6), RestoreDecider.UNSWAPPING);
        assertThat(world.claims).doesNotContainKey(CLAIM);
        op = step(op, T0.plusSeconds(7), RestoreDecider.UNSWAPPING);
        assertThat(world.claims.get(CLAIM).volumeName()).isEqualTo(OLD_PV);
        op = step(op, T0.plusSeconds(8), RestoreDecider.RESTARTING);
        assertThat(world.volumes.get(OLD_PV).reclaimPolicy()).isEqualTo("Delete");
        assertThat(world.replicas).isEqualTo(1);
        world.pod = new PodSeen("pg-0", "uid-3", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(9));
        assertThat(d.phase()).isEqualTo(RestoreDecider.PUT_BACK);
        op = after(op, d, T0.plusSeconds(9));
        d = restore(op, T0.plusSeconds(9));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("restore of default/pg failed: the helper Job pgwarden-restore-op1 failed:"
                + " BackoffLimitExceeded: Job has reached the specified backoff limit; put the previous volumes back"
                + " (data-pg-0 -> pv-old), and default/pg accepts writes again");
    }

    @Test
    void a_stop_that_does_not_finish_fails_and_says_the_database_is_left_stopped_when_the_put_back_cannot_finish_either() {
        Operation op = step(accepted("RestoreBackup"), T0, RestoreDecider.STOPPING);
        op = step(op, T0.plusSeconds(61), RestoreDecider.UNSWAPPING);
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(200));
        assertThat(d.phase()).isEqualTo(RestoreDecider.PUT_BACK);
        assertThat(d.step()).isEqualTo("restore of default/pg failed: default/pg not stopped within PT1M: still waiting"
                + " for pod pg-0 to stop on node node001; putting the previous volumes back failed too: the previous"
                + " volumes are not back within PT2M; default/pg is left stopped (replicas 0,"
                + " pgwarden.io/stopped-replicas=1)");
    }

    // ---- undo ----

    Decision<RestoreAction> undo(Operation op, Instant now) {
        return RestoreDecider.undo(op, new UndoRestore("default", "pg", "op-1", null), world.view(), now, SETTINGS);
    }

    @Test
    void undo_puts_the_retained_volume_back_and_is_refused_when_it_cannot() {
        world.claims.put(CLAIM, claim(CLAIM, "pv-new"));
        world.volumes.put(OLD_PV, new VolumeSeen(OLD_PV, "Retain", "Released", "default/" + CLAIM, "rbd",
                List.of("ReadWriteOnce"), "1Gi"));
        Decision<RestoreAction> d = undo(accepted("UndoRestore"), T0);
        assertThat(d.outcome()).isEqualTo("no restore op-1: the id is a RestoreBackup command's id");
        world.restore = new RestoreSeen("op-1", ID, "default", "pg", "failed", Map.of(CLAIM, OLD_PV),
                Map.of(OLD_PV, "Delete"), Optional.empty());
        assertThat(undo(accepted("UndoRestore"), T0).outcome()).isEqualTo("restore op-1 is failed: it put the previous"
                + " volumes back itself, there is nothing to undo");
        world.restore = new RestoreSeen("op-1", ID, "default", "pg", "completed", Map.of(CLAIM, OLD_PV),
                Map.of(OLD_PV, "Delete"), Optional.of(T0));
        assertThat(undo(accepted("UndoRestore"), T0).outcome()).isEqualTo("restore op-1 was undone already, at " + T0);
        world.restore = new RestoreSeen("op-1", ID, "default", "pg", "completed", Map.of(CLAIM, OLD_PV),
                Map.of(OLD_PV, "Delete"), Optional.empty());
        VolumeSeen retained = world.volumes.remove(OLD_PV);
        assertThat(undo(accepted("UndoRestore"), T0).outcome()).isEqualTo("the volume pv-old that claim data-pg-0 had"
                + " before restore op-1 is gone (deleted): the restore can no longer be undone");
        world.volumes.put(OLD_PV, retained);

        Operation op = accepted("UndoRestore");
        d = undo(op, T0);
        assertThat(d.phase()).isEqualTo(RestoreDecider.STOPPING);
        world.apply(d.actions());
        op = after(op, d, T0);
        world.pod = null;
        for (int i = 0; i < 3; i++) {
            d = undo(op, T0.plusSeconds(1 + i));
            assertThat(d.phase()).isEqualTo(RestoreDecider.UNSWAPPING);
            world.apply(d.actions());
            op = after(op, d, T0.plusSeconds(1 + i));
        }
        assertThat(world.claims.get(CLAIM).volumeName()).isEqualTo(OLD_PV);
        d = undo(op, T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(RestoreDecider.RESTARTING);
        assertThat(d.actions()).contains(new SetReclaimPolicy(OLD_PV, "Delete"), new Scale("default", "pg", 1));
        world.apply(d.actions());
        op = after(op, d, T0.plusSeconds(4));
        world.pod = new PodSeen("pg-0", "uid-3", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        d = undo(op, T0.plusSeconds(5));
        assertThat(d.actions()).first().isEqualTo(new RecordUndone("op-1"));
        op = after(op, d, T0.plusSeconds(5));
        d = undo(op, T0.plusSeconds(5));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("undid restore op-1 of default/pg: claims back on their previous volumes"
                + " (data-pg-0 -> pv-old); writes accepted 5000 ms after the request");
    }

    @Test
    void lsns_compare_as_numbers() {
        assertThat(RestoreDecider.lsn("16/B374D848")).isGreaterThan(RestoreDecider.lsn("9/FFFFFFFF"));
        assertThat(RestoreDecider.lsn("0/3000100")).isEqualTo(0x3000100L);
    }

    static final RbdImage IMAGE = new RbdImage("replicapool", "", "csi-vol-1");
    static final String RBD_SNAPSHOT = "replicapool/csi-vol-1@" + ID + "-" + CLAIM;

    void rbdBackup() {
        world.backup = new BackupSeen(ID, "default", "pg", "cold", "rbd", "completed", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(new SnapshotSeen(CLAIM, "data",
                RBD_SNAPSHOT, null, "/var/lib/postgresql/data", true)));
        world.snapshots.clear();
        world.rbdImages.put(CLAIM, IMAGE.spec());
    }

    static RbdStep safety() {
        return RbdStep.takeSafetySnapshot("op-1", ID, CLAIM, IMAGE, T0);
    }

    static RbdStep rollback() {
        return RbdStep.rollBack("op-1", ID, CLAIM, IMAGE);
    }

    /** An rbd restore to its rollback started. */
    Operation toRollingBack() {
        rbdBackup();
        Operation op = step(accepted("RestoreBackup"), T0, RestoreDecider.STOPPING);
        world.pod = null;
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(RestoreDecider.ROLLING_BACK);
        assertThat(d.actions()).containsExactly(new RestoreAction.StartRbdStep(safety()));
        assertThat(safety().snapshotSpec()).isEqualTo("replicapool/csi-vol-1@pgwarden-before-restore-op-1");
        world.apply(d.actions());
        op = after(op, d, T0.plusSeconds(1));
        d = restore(op, T0.plusSeconds(2));
        assertThat(d.actions()).as("no rollback before the safety snapshot is made").isEmpty();
        world.rbdJob(safety(), RbdJobState.Phase.SUCCEEDED);
        d = restore(op, T0.plusSeconds(3));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).containsExactly(new RestoreAction.StartRbdStep(rollback()));
        assertThat(rollback().snapshotSpec()).isEqualTo(RBD_SNAPSHOT);
        world.apply(d.actions());
        return op;
    }

    @Test
    void an_rbd_restore_takes_a_safety_snapshot_then_rolls_the_image_back_in_place_and_starts_the_database() {
        Operation op = toRollingBack();
        assertThat(world.claims.get(CLAIM).volumeName()).as("same claim, same volume").isEqualTo(OLD_PV);
        world.rbdJob(rollback(), RbdJobState.Phase.SUCCEEDED);
        op = step(op, T0.plusSeconds(4), RestoreDecider.STARTING);
        assertThat(world.replicas).isEqualTo(1);
        world.pod = new PodSeen("pg-0", "uid-2", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        op = step(op, T0.plusSeconds(5), RestoreDecider.RESTORED);
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(5));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("restored default/pg from backup " + ID + "; writes accepted 5000 ms after"
                + " the request; images replicapool/csi-vol-1 rolled back in place, their state before kept as"
                + " snapshot pgwarden-before-restore-op-1, undo with restore id op-1");
    }

    @Test
    void an_rbd_restore_is_refused_when_the_claim_is_no_longer_on_the_backups_image() {
        rbdBackup();
        world.rbdImages.put(CLAIM, "replicapool/csi-vol-2");
        assertThat(rejection()).isEqualTo("claim default/" + CLAIM + " is on RBD image replicapool/csi-vol-2, not on"
                + " replicapool/csi-vol-1, which backup " + ID + " snapshotted: a rollback restores only the image"
                + " itself; the database's claims changed since the backup");
        world.rbdImages.clear();
        assertThat(rejection()).startsWith("claim default/" + CLAIM + " is not bound to an RBD image");
    }

    @Test
    void a_failed_rollback_rolls_the_image_back_to_the_safety_snapshot_and_fails_with_the_reason() {
        Operation op = toRollingBack();
        world.rbdJob(rollback(), RbdJobState.Phase.FAILED);
        op = step(op, T0.plusSeconds(4), RestoreDecider.UNSWAPPING);
        RbdStep back = RbdStep.undoRollBack("op-1", ID, CLAIM, IMAGE);
        Decision<RestoreAction> d = restore(op, T0.plusSeconds(5));
        assertThat(d.actions()).containsExactly(new RestoreAction.StartRbdStep(back));
        assertThat(back.snapshotSpec()).isEqualTo("replicapool/csi-vol-1@pgwarden-before-restore-op-1");
        world.apply(d.actions());
        world.rbdJob(back, RbdJobState.Phase.SUCCEEDED);
        op = step(op, T0.plusSeconds(6), RestoreDecider.RESTARTING);
        world.pod = new PodSeen("pg-0", "uid-2", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        op = step(op, T0.plusSeconds(7), RestoreDecider.PUT_BACK);
        d = restore(op, T0.plusSeconds(7));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("restore of default/pg failed: rbd snap rollback " + RBD_SNAPSHOT
                + " failed with exit code 16: rbd: rollback failed: (16) Device or resource busy; put the previous data"
                + " back (images replicapool/csi-vol-1 rolled back to pgwarden-before-restore-op-1), and default/pg"
                + " accepts writes again");
    }

    @Test
    void undo_of_an_rbd_restore_rolls_the_image_back_to_the_safety_snapshot() {
        rbdBackup();
        world.restore = new RestoreSeen("op-1", ID, "default", "pg", "completed", Map.of(), Map.of(),
                Optional.empty());
        Operation op = accepted("UndoRestore");
        Decision<RestoreAction> d = undo(op, T0);
        assertThat(d.phase()).as(d.step()).isEqualTo(RestoreDecider.STOPPING);
        world.apply(d.actions());
        op = after(op, d, T0);
        world.pod = null;
        d = undo(op, T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(RestoreDecider.UNSWAPPING);
        op = after(op, d, T0.plusSeconds(1));
        RbdStep back = RbdStep.undoRollBack("op-1", ID, CLAIM, IMAGE);
        d = undo(op, T0.plusSeconds(2));
        assertThat(d.actions()).containsExactly(new RestoreAction.StartRbdStep(back));
        world.apply(d.actions());
        world.rbdJob(back, RbdJobState.Phase.SUCCEEDED);
        d = undo(op, T0.plusSeconds(3));
        assertThat(d.phase()).isEqualTo(RestoreDecider.RESTARTING);
        world.apply(d.actions());
        op = after(op, d, T0.plusSeconds(3));
        world.pod = new PodSeen("pg-0", "uid-2", "node001", true, false);
        world.database = new DatabaseSeen(Optional.empty(), Optional.empty(), Optional.empty());
        d = undo(op, T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(RestoreDecider.PUT_BACK);
        assertThat(d.actions()).first().isEqualTo(new RecordUndone("op-1"));
        assertThat(d.step()).startsWith("undid restore op-1 of default/pg: images replicapool/csi-vol-1 rolled"
                + " back to pgwarden-before-restore-op-1; writes accepted");
    }
}
