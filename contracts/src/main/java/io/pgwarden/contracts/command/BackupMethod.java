package io.pgwarden.contracts.command;

/** How a snapshot backup treats the running database. */
public enum BackupMethod {
    /** pg_backup_start/pg_backup_stop around the snapshot, backup_label kept with it. */
    ONLINE_HOT,
    /** Snapshot of the live volume only; restored like a crash, by WAL replay. */
    ONLINE_CRASH_CONSISTENT,
    /** Scale to 0, snapshot, scale back: a planned outage for the backup's duration. */
    OFFLINE_COLD
}
