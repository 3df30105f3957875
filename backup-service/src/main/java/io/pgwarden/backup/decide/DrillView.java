package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.ClaimSeen;
import io.pgwarden.backup.decide.RestoreView.JobSeen;
import io.pgwarden.backup.decide.RestoreView.StatefulSetSeen;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a restore drill sees at one moment: the database's StatefulSet, the backup's row, the database's claims (for
 * the scratch claims' class and size) and the backup's snapshots, what the drill made (found by its label, so a
 * restart finds them too), and what the throw-away PostgreSQL answers.
 *
 * @param claims    the database's claims named in the backup, by name, those that exist
 * @param snapshots the backup's VolumeSnapshots that exist, by name, with whether they are ready to use
 * @param scratch   the drill's scratch claims (labelled with its id), by name
 * @param jobs      the drill's Jobs (labelled), by name
 * @param pods      the drill's pods (labelled), by name; the throw-away PostgreSQL and the Job's pod
 * @param sql       the SQL check of the database's backup schedule, when it names one
 * @param database  the throw-away PostgreSQL's answers, while its pod is Ready and the drill waits for them
 */
public record DrillView(Optional<StatefulSetSeen> statefulSet, Optional<BackupSeen> backup,
                        Map<String, ClaimSeen> claims, Map<String, Boolean> snapshots, Map<String, ClaimSeen> scratch,
                        Map<String, JobSeen> jobs, Map<String, PodSeen> pods, Optional<String> sql,
                        Optional<AnswerSeen> database) {

    public DrillView {
        claims = Map.copyOf(claims);
        snapshots = Map.copyOf(snapshots);
        scratch = Map.copyOf(scratch);
        jobs = Map.copyOf(jobs);
        pods = Map.copyOf(pods);
    }

    public DrillView withDatabase(AnswerSeen seen) {
        return new DrillView(statefulSet, backup, claims, snapshots, scratch, jobs, pods, sql, Optional.of(seen));
    }

    /** Whether anything the drill made is still there. */
    public boolean leftovers() {
        return !scratch.isEmpty() || !jobs.isEmpty() || !pods.isEmpty();
    }

    /**
     * @param phase    status.phase (Pending, Running, Succeeded, Failed)
     * @param restarts the container's restart count
     * @param state    the container's state in words ({@code waiting: CrashLoopBackOff}, {@code terminated: Error,
     *                 exit code 1}), null when running
     */
    public record PodSeen(String name, String node, String phase, boolean ready, boolean terminating, int restarts,
                          String state) {
    }

    /**
     * @param problem    why {@code SELECT 1} got no answer; empty when it did
     * @param inRecovery pg_is_in_recovery(): still replaying WAL
     * @param replayLsn  pg_last_wal_replay_lsn(): where recovery ended; empty without recovery
     * @param sqlProblem the SQL check's failure (an error, or no row); empty when it returned a row or there is none
     */
    public record AnswerSeen(Optional<String> problem, boolean inRecovery, Optional<String> replayLsn,
                             Optional<String> sqlProblem) {
    }

    public static List<String> sorted(Map<String, ?> byName) {
        return byName.keySet().stream().sorted().toList();
    }
}
