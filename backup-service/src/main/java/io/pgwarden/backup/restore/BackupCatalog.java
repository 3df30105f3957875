package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreView.BackupSeen;

import java.util.Optional;

/**
 * The backups a restore reads: a {@code backup} row with its {@code backup_snapshot} rows (V10__backups.sql). The
 * restore only reads them; TakeBackup writes them.
 */
public interface BackupCatalog {

    Optional<BackupSeen> find(String backupId) throws Exception;
}
