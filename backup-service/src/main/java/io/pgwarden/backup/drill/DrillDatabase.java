package io.pgwarden.backup.drill;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.backup.decide.DrillView.AnswerSeen;
import io.pgwarden.backup.restore.PostgresRestoredDatabase;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

/**
 * The throw-away PostgreSQL, asked by its pod's address: {@code SELECT 1}, whether it is still in recovery and where
 * recovery ended, and, once out of recovery, the schedule's SQL check (read-only, in a transaction rolled back).
 */
@Singleton
public class DrillDatabase {
    private final PostgresRestoredDatabase connections;

    DrillDatabase(PostgresRestoredDatabase connections) {
        this.connections = connections;
    }

    AnswerSeen look(String namespace, String statefulSet, Pod pod, Optional<String> sql) {
        try (Connection c = connections.connectToPod(namespace, statefulSet, pod); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT 1")) {
                r.next();
            }
            boolean inRecovery;
            Optional<String> replayed;
            try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")) {
                r.next();
                inRecovery = r.getBoolean(1);
                replayed = Optional.ofNullable(r.getString(2));
            }
            if (inRecovery || sql.isEmpty()) {
                return new AnswerSeen(Optional.empty(), inRecovery, replayed, Optional.empty());
            }
            return new AnswerSeen(Optional.empty(), false, replayed, check(c, sql.get()));
        } catch (Exception e) {
            return new AnswerSeen(Optional.of(String.valueOf(e.getMessage())), true, Optional.empty(), Optional.empty());
        }
    }

    /** Empty when the query returned a row; else why not. */
    private static Optional<String> check(Connection c, String sql) {
        try {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION READ ONLY");
                boolean hasRows = s.execute(sql);
                try (ResultSet r = hasRows ? s.getResultSet() : null) {
                    return r != null && r.next() ? Optional.empty()
                            : Optional.of("'" + sql + "' returned no row");
                }
            } finally {
                c.rollback();
            }
        } catch (Exception e) {
            return Optional.of("'" + sql + "': " + e.getMessage());
        }
    }
}
