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
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Activity;
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

class DrillDeciderTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    static final DrillSettings SETTINGS = new DrillSettings(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(5),
            Duration.ofMillis(500));
    static final String CLAIM = "data-pg-0";
    static final String ID = "pg-20261127-090000";
    static final String OP = "op-1";
    static final VerifyBackup DRILL = new VerifyBackup("default", "pg", ID, null);
    static final String POD = DrillDecider.pod(OP);

    /** One database claim and the drill's objects, changed by the actions the decider asks for. */
    final class World {
        boolean managed = true;
        Map<String, String> annotations = new HashMap<>();
        BackupSeen backup = online("completed", "csi");
        Map<String, Boolean> snapshots = new HashMap<>(Map.of(ID + "-data", true, ID + "-wal-tail", true));
        Map<String, ClaimSeen> scratch = new HashMap<>();
        Map<String, JobSeen> jobs = new HashMap<>();
        Map<String, PodSeen> pods = new HashMap<>();
        Optional<String> sql = Optional.empty();
        AnswerSeen answer;

        DrillView view() {
            return new DrillView(Optional.of(new StatefulSetSeen("default", "pg", managed, 1, annotations,
                    "postgres:17.6", "/var/lib/postgresql/data/pgdata")), Optional.ofNullable(backup),
                    Map.of(CLAIM, claim(CLAIM)), snapshots, scratch, jobs, pods, sql, Optional.ofNullable(answer));
        }

        void apply(List<DrillAction> actions) {
            for (DrillAction a : actions) {
                if (a instanceof DrillAction.CreateScratchClaim c) {
                    scratch.put(c.claim(), claim(c.claim()));
                } else if (a instanceof DrillAction.Prepare p) {
                    jobs.put(p.job().job(), new JobSeen(p.job().job(), false, false, null));
                } else if (a instanceof DrillAction.CreatePod p) {
                    pods.put(p.pod(), new PodSeen(p.pod(), null, "Pending", false, false, 0, "waiting: ContainerCreating"));
                } else if (a instanceof DrillAction.DeletePod p) {
                    pods.remove(p.pod());
                } else if (a instanceof DrillAction.DeleteJob j) {
                    jobs.remove(j.job());
                } else if (a instanceof DrillAction.DeleteClaim c) {
                    scratch.remove(c.claim());
                }
            }
        }
    }

    static BackupSeen online(String phase, String driver) {
        return new BackupSeen(ID, "default", "pg", "online", driver, phase, Optional.of("0/3000100"),
                Optional.of("START WAL LOCATION: 0/2000028\n"), Optional.empty(), Optional.empty(), List.of(
                new SnapshotSeen(CLAIM, "data", ID + "-data", 1L << 30, "/var/lib/postgresql/data", true),
                new SnapshotSeen(CLAIM, "wal-tail", ID + "-wal-tail", 1L << 30, "/var/lib/postgresql/data", true)));
    }

    static BackupSeen crashConsistent() {
        return new BackupSeen(ID, "default", "pg", "crash-consistent", "csi", "completed", Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(
                new SnapshotSeen(CLAIM, "data", ID + "-data", 1L << 30, "/var/lib/postgresql/data", true)));
    }

    static ClaimSeen claim(String name) {
        return new ClaimSeen(name, "pv-" + name, true, "rbd", List.of("ReadWriteOnce"), "1Gi", false);
    }

    final World world = new World();
    Operation op = new Operation(OP, 1, "VerifyBackup", "default/pg", "io.pgwarden.VerifyBackup", OP, new byte[0],
            Operation.START, Map.of(), CommandState.ACCEPTED, null, null, 0, T0, null, null, null, 1, T0, T0);

    Decision<DrillAction> step(Instant now) {
        Decision<DrillAction> d = DrillDecider.decide(op, DRILL, world.view(), now, SETTINGS);
        if (!d.isFinal()) {
            op = Transitions.decided(op, d, now).operation();
            world.apply(d.actions());
        }
        return d;
    }

    /** Runs the online drill up to the pod Ready and answering at {@code answeredAt}. */
    void upToAnswer(Instant answeredAt) {
        assertThat(step(T0).phase()).isEqualTo(DrillDecider.RESTORING);
        assertThat(world.scratch).containsOnlyKeys(DrillDecider.scratchClaim(OP, CLAIM),
                DrillDecider.scratchClaim(OP, "wal-tail"));
        assertThat(step(T0.plusSeconds(2)).phase()).isEqualTo(DrillDecider.PREPARING);
        JobSeen job = world.jobs.values().iterator().next();
        world.jobs.put(job.name(), new JobSeen(job.name(), true, false, null));
        assertThat(step(T0.plusSeconds(4)).phase()).isEqualTo(DrillDecider.STARTING);
        assertThat(world.jobs).isEmpty();
        assertThat(world.pods).containsKey(POD);
        world.pods.put(POD, new PodSeen(POD, "node002", "Running", true, false, 0, null));
    }

    @Test
    void an_online_drill_restores_prepares_starts_checks_the_stop_lsn_records_verified_and_cleans_up() {
        upToAnswer(T0.plusSeconds(6));
        world.answer = new AnswerSeen(Optional.empty(), true, Optional.of("0/3000000"), Optional.empty());
        Decision<DrillAction> inRecovery = step(T0.plusSeconds(6));
        assertThat(inRecovery.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(inRecovery.step()).startsWith("waiting for the end of recovery (replayed to 0/3000000)");

        world.answer = new AnswerSeen(Optional.empty(), false, Optional.of("0/3000100"), Optional.empty());
        Decision<DrillAction> verified = step(T0.plusSeconds(8));
        assertThat(verified.phase()).isEqualTo(DrillDecider.CLEANING);
        assertThat(verified.actions()).contains(new DrillAction.RecordVerification("default", "pg", ID, true, null,
                8000L, 300_000L, 8000L));
        assertThat(verified.actions()).noneMatch(a -> a instanceof DrillAction.Announce);
        assertThat(verified.activities()).extracting(Activity::action).containsExactly("BackupVerified");
        assertThat(world.pods).isEmpty();
        assertThat(world.scratch).isEmpty();

        assertThat(step(T0.plusSeconds(9)).phase()).isEqualTo(DrillDecider.DONE);
        Decision<DrillAction> end = step(T0.plusSeconds(9));
        assertThat(end.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(end.outcome()).isEqualTo("backup " + ID + " of default/pg verified: a throw-away PostgreSQL on its"
                + " restored snapshots accepted queries 8000 ms after the drill started, recovered to 0/3000100"
                + " (objective PT5M)");
    }

    @Test
    void recovery_that_ends_before_the_stop_lsn_fails_the_drill() {
        upToAnswer(T0.plusSeconds(6));
        world.answer = new AnswerSeen(Optional.empty(), false, Optional.of("0/3000000"), Optional.empty());
        Decision<DrillAction> failed = step(T0.plusSeconds(6));
        assertThat(failed.phase()).isEqualTo(DrillDecider.CLEANING);
        assertThat(failed.actions()).contains(new DrillAction.RecordVerification("default", "pg", ID, false,
                "recovery of the restored data ended at 0/3000000, before the backup's stop LSN 0/3000100", 6000L,
                300_000L, 6000L));
    }

    @Test
    void the_schedules_sql_check_must_return_a_row() {
        world.sql = Optional.of("SELECT 1 FROM t LIMIT 1");
        upToAnswer(T0.plusSeconds(6));
        world.answer = new AnswerSeen(Optional.empty(), false, Optional.of("0/3000100"),
                Optional.of("'SELECT 1 FROM t LIMIT 1' returned no row"));
        Decision<DrillAction> failed = step(T0.plusSeconds(6));
        assertThat(failed.activities()).extracting(Activity::action).containsExactly("DrillFailed");
        step(T0.plusSeconds(7));
        Decision<DrillAction> end = step(T0.plusSeconds(7));
        assertThat(end.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(end.outcome()).isEqualTo("backup " + ID + " of default/pg failed its drill: the SQL check of the"
                + " backup schedule failed: 'SELECT 1 FROM t LIMIT 1' returned no row");
    }

    @Test
    void over_the_objective_the_backup_is_verified_and_an_alert_raised() {
        world.backup = crashConsistent();
        world.annotations.put(Names.RECOVERY_TIME_OBJECTIVE_ANNOTATION, "PT0.001S");
        assertThat(step(T0).phase()).isEqualTo(DrillDecider.RESTORING);
        assertThat(world.scratch).containsOnlyKeys(DrillDecider.scratchClaim(OP, CLAIM));
        assertThat(step(T0.plusSeconds(1)).phase()).isEqualTo(DrillDecider.STARTING);
        world.pods.put(POD, new PodSeen(POD, "node002", "Running", true, false, 0, null));
        world.answer = new AnswerSeen(Optional.empty(), false, Optional.empty(), Optional.empty());
        Decision<DrillAction> verified = step(T0.plusSeconds(3));
        assertThat(verified.actions()).contains(new DrillAction.RecordVerification("default", "pg", ID, true, null,
                3000L, 1L, 3000L));
        assertThat(verified.actions()).anyMatch(a -> a instanceof DrillAction.Announce an && an.warning()
                && an.reason().equals("DrillOverObjective"));
        assertThat(verified.activities()).extracting(Activity::action)
                .containsExactly("BackupVerified", "DrillOverObjective");
        step(T0.plusSeconds(4));
        assertThat(step(T0.plusSeconds(4)).next()).isEqualTo(Decision.Next.SUCCEED);
    }

    @Test
    void a_pod_never_ready_fails_after_the_step_timeout_with_its_state_and_is_cleaned_up() {
        world.backup = crashConsistent();
        step(T0);
        step(T0.plusSeconds(1));
        world.pods.put(POD, new PodSeen(POD, "node002", "Running", false, false, 3, "waiting: CrashLoopBackOff"));
        assertThat(step(T0.plusSeconds(30)).next()).isEqualTo(Decision.Next.WAIT);
        Decision<DrillAction> failed = step(T0.plusSeconds(62));
        assertThat(failed.phase()).isEqualTo(DrillDecider.CLEANING);
        assertThat(failed.outcome()).isNull();
        assertThat(failed.step()).isEqualTo("cleaning up: backup " + ID + " of default/pg failed its drill: PostgreSQL"
                + " did not start on the restored data: the throw-away pod " + POD + " was not Ready within PT1M"
                + " (Running on node node002, restarted 3 times, waiting: CrashLoopBackOff)");
        assertThat(failed.actions()).contains(new DrillAction.DeletePod("default", POD),
                new DrillAction.DeleteClaim("default", DrillDecider.scratchClaim(OP, CLAIM)));
    }

    @Test
    void a_pod_that_exits_fails_at_once() {
        world.backup = crashConsistent();
        step(T0);
        step(T0.plusSeconds(1));
        world.pods.put(POD, new PodSeen(POD, "node002", "Failed", false, false, 0, "terminated: Error, exit code 1"));
        Decision<DrillAction> failed = step(T0.plusSeconds(2));
        assertThat(failed.actions()).anyMatch(a -> a instanceof DrillAction.RecordVerification r && !r.verified()
                && r.error().equals("PostgreSQL did not start on the restored data: the throw-away pod " + POD
                + " ended (Failed, terminated: Error, exit code 1) before it accepted queries"));
    }

    @Test
    void after_a_restart_the_drill_finds_its_objects_by_label_and_a_cleanup_that_cannot_finish_says_what_is_left() {
        world.backup = crashConsistent();
        step(T0);
        step(T0.plusSeconds(1));
        // backup-service restarts long after: the world is read again, and the pod it made is still Pending.
        world.pods.put(POD, new PodSeen(POD, null, "Pending", false, false, 0, null));
        Decision<DrillAction> failed = step(T0.plusSeconds(70));
        assertThat(failed.phase()).isEqualTo(DrillDecider.CLEANING);
        world.pods.put(POD, new PodSeen(POD, "node002", "Running", false, true, 0, null));
        Decision<DrillAction> waiting = step(T0.plusSeconds(80));
        assertThat(waiting.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(waiting.step()).startsWith("waiting for pod " + POD + " to go");
        assertThat(waiting.actions()).contains(new DrillAction.DeletePod("default", POD));
        world.pods.put(POD, new PodSeen(POD, "node002", "Running", false, true, 0, null));
        Decision<DrillAction> gaveUp = step(T0.plusSeconds(140));
        assertThat(gaveUp.phase()).isEqualTo(DrillDecider.DONE);
        Decision<DrillAction> end = step(T0.plusSeconds(140));
        assertThat(end.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(end.outcome()).endsWith("; the cleanup did not finish within PT1M, left: pod " + POD);
    }

    @Test
    void refusals_say_what_to_change() {
        assertThat(rejected(() -> world.backup = null)).startsWith("no backup " + ID + " in the catalog");
        assertThat(rejected(() -> world.backup = online("failed", "csi"))).isEqualTo("backup " + ID + " is failed, not"
                + " completed: only a completed backup can be drilled; pick another one");
        assertThat(rejected(() -> world.backup = online("completed", "rbd"))).contains("drills of rbd backups are not"
                + " built yet");
        assertThat(rejected(() -> world.managed = false)).contains("is not managed by pgwarden");
        assertThat(rejected(() -> world.annotations.put(Names.RECOVERY_TIME_OBJECTIVE_ANNOTATION, "5 minutes")))
                .contains("is not a positive ISO-8601 duration");
        assertThat(rejected(() -> world.snapshots.remove(ID + "-wal-tail"))).isEqualTo("VolumeSnapshot default/" + ID
                + "-wal-tail of backup " + ID + " is gone: the backup cannot be drilled");
    }

    private String rejected(Runnable change) {
        World saved = new World();
        change.run();
        Decision<DrillAction> d = DrillDecider.decide(op, DRILL, world.view(), T0, SETTINGS);
        world.backup = saved.backup;
        world.managed = saved.managed;
        world.annotations = saved.annotations;
        world.snapshots = saved.snapshots;
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.actions()).isEmpty();
        return d.outcome();
    }
}
