package io.pgwarden.backup.catalog;

import java.time.Instant;
import java.util.List;

/** One row of the backup catalog, with its snapshots. */
public record BackupRecord(String id, String namespace, String cluster, String method, String driver, String label,
                           String phase, String operationId, Instant startedAt, Instant completedAt, String startLsn,
                           String stopLsn, String backupLabel, String tablespaceMap, Long sizeBytes, String error,
                           String verification, Instant verifiedAt, String verifyError, Long drillMillis,
                           Long rtoMillis, List<Snapshot> snapshots) {

    public BackupRecord {
        snapshots = List.copyOf(snapshots);
    }

    /** @param snapshot the VolumeSnapshot's name; content, size and creation time once it was ready */
    public record Snapshot(String claim, String role, String snapshot, String content, Long restoreSize,
                           String mountPath, boolean holdsWal, Instant createdAt) {
    }
}
