package io.pgwarden.backup.api;

import io.pgwarden.backup.catalog.BackupRecord;

import java.time.Instant;
import java.util.List;

/**
 * A backup as the API shows it. {@code verification} says "never verified" plainly while no restore drill ran.
 *
 * @param snapshots each claim's snapshot: its VolumeSnapshot, role (data, wal-tail), content and size
 * @param drill     the last restore drill: its restore time against the objective, and why it failed
 */
public record BackupJson(String id, String namespace, String cluster, String method, String driver, String label,
                         String phase, Instant startedAt, Instant completedAt, String startLsn, String stopLsn,
                         Long sizeBytes, List<BackupRecord.Snapshot> snapshots, String error, String verification,
                         Drill drill) {

    /** @param overObjective the restore took longer than the objective (the backup is verified all the same) */
    public record Drill(Long restoreMillis, Long objectiveMillis, boolean overObjective, String error) {
    }

    static final String NEVER_VERIFIED = "never verified";

    static BackupJson of(BackupRecord b) {
        return new BackupJson(b.id(), b.namespace(), b.cluster(), b.method(), b.driver(), b.label(), b.phase(),
                b.startedAt(), b.completedAt(), b.startLsn(), b.stopLsn(), b.sizeBytes(), b.snapshots(), b.error(),
                b.verification() == null ? NEVER_VERIFIED
                        : b.verification() + (b.verifiedAt() == null ? "" : " at " + b.verifiedAt()),
                b.verification() == null ? null : new Drill(b.drillMillis(), b.rtoMillis(), b.drillMillis() != null
                        && b.rtoMillis() != null && b.drillMillis() > b.rtoMillis(), b.verifyError()));
    }
}
