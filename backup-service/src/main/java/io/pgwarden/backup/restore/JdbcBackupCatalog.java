package io.pgwarden.backup.restore;

import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link BackupCatalog} on the catalog's tables {@code backup} and {@code backup_snapshot}. */
@Singleton
public class JdbcBackupCatalog implements BackupCatalog {
    private final DataSource dataSource;

    public JdbcBackupCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<BackupSeen> find(String backupId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<SnapshotSeen> snapshots = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT claim, role, snapshot, restore_size, mount_path,"
                    + " holds_wal FROM backup_snapshot WHERE backup_id = ? ORDER BY claim, role")) {
                s.setString(1, backupId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long size = r.getLong(4);
                        snapshots.add(new SnapshotSeen(r.getString(1), r.getString(2), r.getString(3),
                                r.wasNull() ? null : size, r.getString(5), r.getBoolean(6)));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT id, namespace, cluster, method, driver, phase,"
                    + " stop_lsn::text, backup_label, tablespace_map, error FROM backup WHERE id = ?")) {
                s.setString(1, backupId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new BackupSeen(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), Optional.ofNullable(r.getString(7)),
                            Optional.ofNullable(r.getString(8)), Optional.ofNullable(r.getString(9)),
                            Optional.ofNullable(r.getString(10)), snapshots));
                }
            }
        }
    }

    @Override
    public void recordVerification(String backupId, boolean verified, String error, Long restoreMillis,
                                   long objectiveMillis, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE backup SET"
                + " verification = ?, verified_at = ?, verify_error = ?, drill_millis = ?, rto_millis = ? WHERE id = ?")) {
            s.setString(1, verified ? "verified" : "failed");
            s.setTimestamp(2, Timestamp.from(at));
            s.setString(3, error);
            s.setObject(4, restoreMillis);
            s.setLong(5, objectiveMillis);
            s.setString(6, backupId);
            s.executeUpdate();
        }
    }

    @Override
    public List<LastVerified> lastVerified() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT DISTINCT ON"
                + " (namespace, cluster) namespace, cluster, id, completed_at FROM backup WHERE verification = 'verified'"
                + " AND completed_at IS NOT NULL ORDER BY namespace, cluster, completed_at DESC");
             ResultSet r = s.executeQuery()) {
            List<LastVerified> all = new ArrayList<>();
            while (r.next()) {
                all.add(new LastVerified(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant()));
            }
            return all;
        }
    }
}
