package io.pgwarden.backup.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgwarden.backup.decide.RestoreView.RestoreSeen;
import io.pgwarden.contracts.Json;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The {@code restore} table (V11__restores.sql): one row per RestoreBackup, written as the restore goes. */
@Singleton
public class RestoreRecords {
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };
    private final DataSource dataSource;
    private final Clock clock;

    public RestoreRecords(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Optional<RestoreSeen> find(String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, backup_id,"
                + " namespace, cluster, phase, retained_volumes::text, reclaim_policies::text, undone_at FROM restore"
                + " WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                Timestamp undone = r.getTimestamp(8);
                return Optional.of(new RestoreSeen(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                        r.getString(5), Json.MAPPER.readValue(r.getString(6), MAP),
                        Json.MAPPER.readValue(r.getString(7), MAP),
                        Optional.ofNullable(undone).map(Timestamp::toInstant)));
            }
        }
    }

    /** A restore as the API shows it. */
    public record Summary(String id, String backupId, String namespace, String cluster, String phase,
                          Instant startedAt, Instant completedAt, Map<String, String> retainedVolumes, String error,
                          Instant undoneAt) {
    }

    public Optional<Summary> summary(String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, backup_id,"
                + " namespace, cluster, phase, started_at, completed_at, retained_volumes::text, error, undone_at"
                + " FROM restore WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Summary(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                        r.getString(5), instant(r.getTimestamp(6)), instant(r.getTimestamp(7)),
                        Json.MAPPER.readValue(r.getString(8), MAP), r.getString(9), instant(r.getTimestamp(10))));
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** The row of a restore that starts; nothing when it exists (the action is applied again after a crash). */
    void started(String id, String backupId, String namespace, String cluster) throws SQLException {
        update("INSERT INTO restore (id, backup_id, namespace, cluster, phase, started_at) VALUES (?, ?, ?, ?,"
                + " 'running', ?) ON CONFLICT (id) DO NOTHING", id, backupId, namespace, cluster, now());
    }

    void retained(String id, Map<String, String> volumes, Map<String, String> policies) throws Exception {
        update("UPDATE restore SET retained_volumes = ?::jsonb, reclaim_policies = ?::jsonb WHERE id = ?",
                Json.MAPPER.writeValueAsString(volumes), Json.MAPPER.writeValueAsString(policies), id);
    }

    void ended(String id, boolean failed, String error) throws SQLException {
        update("UPDATE restore SET phase = ?, error = ?, completed_at = coalesce(completed_at, ?) WHERE id = ?",
                failed ? "failed" : "completed", error, now(), id);
    }

    void undone(String id) throws SQLException {
        update("UPDATE restore SET undone_at = coalesce(undone_at, ?) WHERE id = ?", now(), id);
    }

    private Timestamp now() {
        return Timestamp.from(Instant.now(clock));
    }

    private void update(String sql, Object... values) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }
}
