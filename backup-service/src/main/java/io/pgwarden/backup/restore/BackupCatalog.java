package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreView.BackupSeen;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The backups a restore or a drill reads: a {@code backup} row with its {@code backup_snapshot} rows
 * (V10__backups.sql). TakeBackup writes them; a drill writes only its result.
 */
public interface BackupCatalog {

    Optional<BackupSeen> find(String backupId) throws Exception;

    /**
     * A drill's result on the backup's row: {@code verification} verified or failed, {@code verified_at},
     * {@code verify_error}, {@code drill_millis} (the measured restore time, null when the database never accepted
     * queries) and {@code rto_millis} (the objective it was held to).
     */
    void recordVerification(String backupId, boolean verified, String error, Long restoreMillis, long objectiveMillis,
                            Instant at) throws Exception;

    /** Per database, its newest verified backup: when that backup completed, for the age metric. */
    List<LastVerified> lastVerified() throws Exception;

    record LastVerified(String namespace, String cluster, String backupId, Instant completedAt) {
    }
}
