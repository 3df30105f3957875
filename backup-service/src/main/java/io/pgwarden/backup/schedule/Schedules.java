package io.pgwarden.backup.schedule;

import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.contracts.command.SnapshotDriver;
import io.pgwarden.outbox.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.Optional;
import java.util.Set;

/** The schedules, their recorded slots and retention's requests, in the catalog. */
@ApplicationScoped
public class Schedules {
    private static final String COLUMNS = "namespace, cluster, cron, zone, method, driver, keep_last, max_age, drill,"
            + " drill_sql, missed_slots, set_at, command_id";

    private final DataSource dataSource;

    Schedules(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<BackupSchedule> find(String namespace, String cluster) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("SELECT " + COLUMNS
                    + " FROM backup_schedule WHERE namespace = ? AND cluster = ?")) {
                s.setString(1, namespace);
                s.setString(2, cluster);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(schedule(r)) : Optional.empty();
                }
            }
        });
    }

    public List<BackupSchedule> all() throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            List<BackupSchedule> all = new ArrayList<>();
            try (PreparedStatement s = tx.prepareStatement("SELECT " + COLUMNS
                    + " FROM backup_schedule ORDER BY namespace, cluster"); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    all.add(schedule(r));
                }
            }
            return all;
        });
    }

    public void store(BackupSchedule b) throws SQLException {
        Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("INSERT INTO backup_schedule (" + COLUMNS + ") VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, cluster) DO UPDATE SET"
                    + " cron = excluded.cron, zone = excluded.zone, method = excluded.method, driver = excluded.driver,"
                    + " keep_last = excluded.keep_last, max_age = excluded.max_age, drill = excluded.drill,"
                    + " drill_sql = excluded.drill_sql, missed_slots = excluded.missed_slots, set_at = excluded.set_at,"
                    + " command_id = excluded.command_id WHERE backup_schedule.command_id <> excluded.command_id")) {
                s.setString(1, b.namespace());
                s.setString(2, b.cluster());
                s.setString(3, b.cron());
                s.setString(4, b.zone());
                s.setString(5, b.method() == null ? null : b.method().wireName());
                s.setString(6, b.driver() == null ? null : b.driver().wireName());
                s.setObject(7, b.retention().keepLast());
                s.setString(8, b.retention().maxAge() == null ? null : b.retention().maxAge().toString());
                s.setBoolean(9, b.drill());
                s.setString(10, b.drillSql());
                s.setString(11, b.missedSlots() == MissedSlots.RUN_ONCE ? "run-once" : "skip");
                s.setTimestamp(12, Timestamp.from(b.setAt()));
                s.setString(13, b.commandId());
                s.executeUpdate();
            }
            return null;
        });
    }

    public void remove(String namespace, String cluster) throws SQLException {
        Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement(
                    "DELETE FROM backup_schedule WHERE namespace = ? AND cluster = ?")) {
                s.setString(1, namespace);
                s.setString(2, cluster);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** A slot as it was recorded: run (on time or late), or skipped, with its backup or the reason. */
    public record RecordedSlot(Instant slot, String outcome, String backupId, String reason) {
    }

    /** Each database's latest recorded slot, by {@code namespace/cluster}. */
    public Map<String, RecordedSlot> lastSlots() throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            Map<String, RecordedSlot> last = new HashMap<>();
            try (PreparedStatement s = tx.prepareStatement("SELECT DISTINCT ON (namespace, cluster) namespace,"
                    + " cluster, slot, outcome, backup_id, reason FROM schedule_slot"
                    + " ORDER BY namespace, cluster, slot DESC"); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    last.put(r.getString(1) + "/" + r.getString(2), new RecordedSlot(r.getTimestamp(3).toInstant(),
                            r.getString(4), r.getString(5), r.getString(6)));
                }
            }
            return last;
        });
    }

    /** The latest slot recorded for the database's schedule, run or skipped. */
    public Optional<Instant> lastSlot(Connection tx, String namespace, String cluster) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement(
                "SELECT max(slot) FROM schedule_slot WHERE namespace = ? AND cluster = ?")) {
            s.setString(1, namespace);
            s.setString(2, cluster);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                Timestamp t = r.getTimestamp(1);
                return t == null ? Optional.empty() : Optional.of(t.toInstant());
            }
        }
    }

    /** Records a slot; false when it was recorded already (by another replica, or before a restart). */
    public boolean recordSlot(Connection tx, BackupSchedule schedule, Instant slot, String outcome, String backupId,
                              String reason, Instant now) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("INSERT INTO schedule_slot (namespace, cluster, slot, outcome,"
                + " backup_id, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, schedule.namespace());
            s.setString(2, schedule.cluster());
            s.setTimestamp(3, Timestamp.from(slot));
            s.setString(4, outcome);
            s.setString(5, backupId);
            s.setString(6, reason);
            s.setTimestamp(7, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    /** The completed backups the schedule took (they carry a slot), for retention. */
    public List<RetentionDecider.Kept> scheduledBackups(String namespace, String cluster) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            List<RetentionDecider.Kept> kept = new ArrayList<>();
            try (PreparedStatement s = tx.prepareStatement("SELECT id, completed_at FROM backup WHERE namespace = ?"
                    + " AND cluster = ? AND phase = 'completed' AND schedule IS NOT NULL")) {
                s.setString(1, namespace);
                s.setString(2, cluster);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        kept.add(new RetentionDecider.Kept(r.getString(1), r.getTimestamp(2).toInstant()));
                    }
                }
            }
            return kept;
        });
    }

    /** The database's newest completed backup, scheduled or not. */
    public Optional<String> lastGood(String namespace, String cluster) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("SELECT id FROM backup WHERE namespace = ? AND cluster = ?"
                    + " AND phase = 'completed' ORDER BY completed_at DESC, id DESC LIMIT 1")) {
                s.setString(1, namespace);
                s.setString(2, cluster);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Backups a restore or a drill that has not ended names: never deleted under it. */
    public Set<String> inUse() throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement s = tx.prepareStatement("SELECT convert_from(command, 'UTF8')::jsonb ->> 'backupId'"
                    + " FROM operation WHERE kind IN ('RestoreBackup', 'VerifyBackup')"
                    + " AND state IN ('ACCEPTED', 'RUNNING') AND command IS NOT NULL");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
            return ids;
        });
    }

    /** Records retention's request to delete a backup; false when it was asked for already. */
    public boolean recordDeletion(Connection tx, String backupId, String reason, Instant now) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("INSERT INTO retention_deletion (backup_id, reason,"
                + " requested_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, backupId);
            s.setString(2, reason);
            s.setTimestamp(3, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    /**
     * The schedule's completed backups (they carry a slot) that completed since {@code since} and were not asked to be
     * drilled yet, oldest first.
     */
    public List<String> undrilled(String namespace, String cluster, Instant since) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = tx.prepareStatement("SELECT id FROM backup b WHERE namespace = ? AND cluster = ?"
                    + " AND phase = 'completed' AND schedule IS NOT NULL AND completed_at >= ? AND NOT EXISTS"
                    + " (SELECT 1 FROM drill_request d WHERE d.backup_id = b.id) ORDER BY completed_at, id")) {
                s.setString(1, namespace);
                s.setString(2, cluster);
                s.setTimestamp(3, Timestamp.from(since));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Records the schedule's request to drill a backup; false when it was asked for already. */
    public boolean recordDrill(Connection tx, String backupId, Instant now) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("INSERT INTO drill_request (backup_id, requested_at)"
                + " VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, backupId);
            s.setTimestamp(2, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    private static BackupSchedule schedule(ResultSet r) throws SQLException {
        Integer keepLast = (Integer) r.getObject("keep_last");
        String maxAge = r.getString("max_age");
        return new BackupSchedule(r.getString("namespace"), r.getString("cluster"), r.getString("cron"),
                r.getString("zone"), wire(BackupMethod.values(), r.getString("method")),
                wire(SnapshotDriver.values(), r.getString("driver")),
                new Retention(keepLast, maxAge == null ? null : Duration.parse(maxAge)), r.getBoolean("drill"),
                r.getString("drill_sql"), "skip".equals(r.getString("missed_slots")) ? MissedSlots.SKIP
                : MissedSlots.RUN_ONCE, r.getTimestamp("set_at").toInstant(), r.getString("command_id"));
    }

    private static <E extends Enum<E>> E wire(E[] values, String name) {
        return name == null ? null : Arrays.stream(values).filter(v -> wireName(v).equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("unknown value in the catalog: " + name));
    }

    private static String wireName(Enum<?> value) {
        return value instanceof BackupMethod m ? m.wireName() : ((SnapshotDriver) value).wireName();
    }
}
