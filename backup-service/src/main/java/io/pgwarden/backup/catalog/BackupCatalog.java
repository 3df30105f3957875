package io.pgwarden.backup.catalog;

import io.pgwarden.backup.decide.BackupAction;
import io.pgwarden.backup.decide.BackupView.SnapshotSeen;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The backup catalog (schema {@code backup}, {@code V10__backups.sql}): written by the backups' actions, read by the API. */
@Singleton
public class BackupCatalog {
    private static final String COLUMNS = "id, namespace, cluster, method, driver, label, phase, operation_id,"
            + " started_at, completed_at, start_lsn::text, stop_lsn::text, backup_label, tablespace_map, size_bytes,"
            + " error, verification, verified_at, verify_error, drill_millis, rto_millis";

    private final DataSource dataSource;

    public BackupCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void recordStarted(BackupAction.RecordStarted a) throws SQLException {
        update("INSERT INTO backup (id, namespace, cluster, method, driver, label, phase, operation_id, started_at,"
                        + " schedule) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                a.backupId(), a.namespace(), a.cluster(), a.method(), a.driver(), a.label(), a.operationId(),
                Timestamp.from(a.startedAt()), a.slot() == null ? null : "slot " + a.slot());
    }

    public void recordSnapshot(BackupAction.CreateSnapshot a) throws SQLException {
        update("INSERT INTO backup_snapshot (backup_id, claim, role, snapshot, mount_path, holds_wal)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", a.backupId(), a.claim(), a.role(),
                a.name(), a.mountPath(), a.holdsWal());
    }

    public void recordLsns(BackupAction.RecordLsns a) throws SQLException {
        update("UPDATE backup SET start_lsn = ?::pg_lsn, stop_lsn = ?::pg_lsn, backup_label = ?, tablespace_map = ?"
                + " WHERE id = ?", a.startLsn(), a.stopLsn(), a.backupLabel(), a.tablespaceMap(), a.backupId());
    }

    /** @return whether the backup was running until now (false when this was recorded before) */
    public boolean recordCompleted(BackupAction.RecordCompleted a) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            for (SnapshotSeen s : a.snapshots()) {
                update(c, "UPDATE backup_snapshot SET content = ?, restore_size = ?, created_at = ?::timestamptz"
                                + " WHERE backup_id = ? AND snapshot = ?", s.content().orElse(null),
                        s.restoreSize().orElse(null), s.creationTime().orElse(null), a.backupId(), s.name());
            }
            int changed = update(c, "UPDATE backup SET phase = 'completed', completed_at = ?, size_bytes = ?"
                    + " WHERE id = ? AND phase = 'running'", Timestamp.from(a.completedAt()), a.sizeBytes(),
                    a.backupId());
            c.commit();
            return changed == 1;
        }
    }

    /** @return whether the backup was running until now */
    public boolean recordFailed(BackupAction.RecordFailed a) throws SQLException {
        return update("UPDATE backup SET phase = 'failed', completed_at = ?, error = ? WHERE id = ?"
                + " AND phase = 'running'", Timestamp.from(a.at()), a.error(), a.backupId()) == 1;
    }

    public void recordDeleted(String backupId) throws SQLException {
        update("UPDATE backup SET phase = 'deleted' WHERE id = ? AND phase <> 'deleted'", backupId);
    }

    public Optional<BackupRecord> find(String id) throws SQLException {
        List<BackupRecord> found = query("SELECT " + COLUMNS + " FROM backup WHERE id = ?", id);
        return found.stream().findFirst();
    }

    /** Newest first. */
    public List<BackupRecord> list(String namespace, String cluster) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM backup WHERE namespace = ? AND cluster = ?"
                + " ORDER BY started_at DESC, id DESC", namespace, cluster);
    }

    /**
     * A page of a database's backups, newest first: at most {@code limit}, all older than backup {@code before}
     * (in the order of this list) when it is given. The caller checks that {@code before} is one of the database's.
     */
    public List<BackupRecord> page(String namespace, String cluster, int limit, String before) throws SQLException {
        if (before == null) {
            return query("SELECT " + COLUMNS + " FROM backup WHERE namespace = ? AND cluster = ?"
                    + " ORDER BY started_at DESC, id DESC LIMIT ?", namespace, cluster, limit);
        }
        return query("SELECT " + COLUMNS + " FROM backup WHERE namespace = ? AND cluster = ? AND (started_at, id) <"
                + " (SELECT started_at, id FROM backup WHERE id = ?) ORDER BY started_at DESC, id DESC LIMIT ?",
                namespace, cluster, before, limit);
    }

    /** The newest {@code perDatabase} backups of every database, newest first. */
    public List<BackupRecord> newestOfEach(int perDatabase) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM (SELECT *, row_number() OVER (PARTITION BY namespace, cluster"
                + " ORDER BY started_at DESC, id DESC) AS n FROM backup) b WHERE n <= ?"
                + " ORDER BY started_at DESC, id DESC", perDatabase);
    }

    /** Whether id is the newest completed backup of its database. */
    public boolean isLastCompleted(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT b.id FROM backup b JOIN backup me ON me.namespace = b.namespace AND me.cluster = b.cluster"
                        + " WHERE me.id = ? AND b.phase = 'completed' ORDER BY b.completed_at DESC LIMIT 1")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && id.equals(r.getString(1));
            }
        }
    }

    /** When each database's newest completed backup completed, by {@code namespace/cluster}. */
    public Map<String, Instant> lastCompleted() throws SQLException {
        Map<String, Instant> last = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT namespace, cluster, max(completed_at) FROM backup WHERE phase = 'completed'"
                        + " GROUP BY namespace, cluster"); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                last.put(r.getString(1) + "/" + r.getString(2), r.getTimestamp(3).toInstant());
            }
        }
        return last;
    }

    private List<BackupRecord> query(String sql, Object... args) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, BackupRecord> rows = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, args);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.put(r.getString(1), new BackupRecord(r.getString(1), r.getString(2), r.getString(3),
                                r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                                instant(r, 9), instant(r, 10), r.getString(11), r.getString(12), r.getString(13),
                                r.getString(14), (Long) r.getObject(15), r.getString(16), r.getString(17),
                                instant(r, 18), r.getString(19), (Long) r.getObject(20), (Long) r.getObject(21),
                                List.of()));
                    }
                }
            }
            if (rows.isEmpty()) {
                return List.of();
            }
            Map<String, List<BackupRecord.Snapshot>> snapshots = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT backup_id, claim, role, snapshot, content,"
                    + " restore_size, mount_path, holds_wal, created_at FROM backup_snapshot"
                    + " WHERE backup_id = ANY (?) ORDER BY role, claim")) {
                s.setArray(1, c.createArrayOf("text", rows.keySet().toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        snapshots.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(
                                new BackupRecord.Snapshot(r.getString(2), r.getString(3), r.getString(4),
                                        r.getString(5), (Long) r.getObject(6), r.getString(7), r.getBoolean(8),
                                        instant(r, 9)));
                    }
                }
            }
            return rows.values().stream().map(b -> new BackupRecord(b.id(), b.namespace(), b.cluster(), b.method(),
                    b.driver(), b.label(), b.phase(), b.operationId(), b.startedAt(), b.completedAt(), b.startLsn(),
                    b.stopLsn(), b.backupLabel(), b.tablespaceMap(), b.sizeBytes(), b.error(), b.verification(),
                    b.verifiedAt(), b.verifyError(), b.drillMillis(), b.rtoMillis(),
                    snapshots.getOrDefault(b.id(), List.of()))).toList();
        }
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private int update(String sql, Object... args) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return update(c, sql, args);
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }
}
