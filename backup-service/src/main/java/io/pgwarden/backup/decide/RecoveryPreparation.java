package io.pgwarden.backup.decide;

import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The helper Job that readies claims restored from an online backup for their first start, shared by the restore in
 * place and the restore drill: backup_label (and tablespace_map) into the data directory, the WAL tail's segments into
 * pg_wal when they come from a scratch claim, recovery.signal, and the recovery target at the stop LSN, so what was
 * committed after pg_backup_stop returned is not replayed. PostgreSQL refuses targeted recovery without a
 * restore_command when standby mode is off (postgres src/backend/access/transam/xlogrecovery.c,
 * validateRecoveryParameters): 'false' finds nothing in an archive, and recovery reads pg_wal.
 */
public final class RecoveryPreparation {
    /** Where the helper Job mounts the scratch claim restored from the wal-tail snapshot. */
    public static final String TAIL_MOUNT = "/pgwarden/wal-tail";

    private RecoveryPreparation() {
    }

    /**
     * @param claimFor   the backup's claim -> the claim restored from it, where that has another name (a drill's
     *                   scratch claims); mounted at the backup's mount paths
     * @param scratchWal the scratch claim restored from the wal-tail snapshot, mounted at {@link #TAIL_MOUNT}; null
     *                   for a separate WAL claim (restored from the wal-tail snapshot itself)
     */
    public static RestoreAction.CreateHelperJob job(String namespace, String job, String image, String pgdata,
                                                    BackupSeen backup, Map<String, String> claimFor, String scratchWal,
                                                    String label, String labelValue) {
        Map<String, String> mounts = new LinkedHashMap<>();
        String dataMount = null;
        for (SnapshotSeen s : backup.ofRole("data")) {
            mounts.put(claimFor.getOrDefault(s.claim(), s.claim()), s.mountPath());
            if (pgdata.equals(s.mountPath()) || pgdata.startsWith(s.mountPath() + "/")) {
                dataMount = s.mountPath();
            }
        }
        StringBuilder script = new StringBuilder("set -eu\nD='" + pgdata + "'\n");
        if (scratchWal != null) {
            mounts.put(scratchWal, TAIL_MOUNT);
            String relative = dataMount == null ? "" : pgdata.substring(dataMount.length());
            script.append("for f in '").append(TAIL_MOUNT).append(relative).append("/pg_wal'/*; do")
                    .append(" if [ -f \"$f\" ]; then cp -p \"$f\" \"$D/pg_wal/\"; fi; done\n");
        }
        script.append("printf '%s' \"$BACKUP_LABEL\" > \"$D/backup_label\"\n")
                .append("if [ -n \"$TABLESPACE_MAP\" ]; then printf '%s' \"$TABLESPACE_MAP\" > \"$D/tablespace_map\"; fi\n")
                .append("touch \"$D/recovery.signal\"\n")
                .append("printf '%s\\n' \"restore_command = 'false'\" \"recovery_target_lsn = '")
                .append(backup.stopLsn().orElseThrow())
                .append("'\" \"recovery_target_action = 'promote'\" >> \"$D/postgresql.auto.conf\"\n")
                // Owned as the data directory is, when the Job runs as another user than the database.
                .append("chown --reference=\"$D\" \"$D/backup_label\" \"$D/recovery.signal\" \"$D\"/pg_wal/* 2>/dev/null"
                        + " || true\n");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BACKUP_LABEL", backup.backupLabel().orElseThrow());
        env.put("TABLESPACE_MAP", backup.tablespaceMap().orElse(""));
        return new RestoreAction.CreateHelperJob(namespace, job, image, script.toString(), env, mounts, label,
                labelValue);
    }
}
