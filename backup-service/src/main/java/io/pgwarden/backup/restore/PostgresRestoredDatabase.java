package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.Pod;
import io.pgwarden.backup.decide.RestoreView.DatabaseSeen;
import io.pgwarden.database.DatabaseEndpoints;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

/**
 * {@link RestoredDatabase} over JDBC through the StatefulSet's Service (and a drill's throw-away pod by its own
 * address), as the user of the Secret that
 * {@code pgwarden.io/credentials-secret} names: the address and credentials as the backup session and failover's
 * write check find them ({@link DatabaseEndpoints}).
 */
@Singleton
public class PostgresRestoredDatabase implements RestoredDatabase {
    private static final int TIMEOUT_SECONDS = 2;
    private final DatabaseEndpoints endpoints;

    public PostgresRestoredDatabase(DatabaseEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public DatabaseSeen look(String namespace, String statefulSet) {
        try (Connection c = connect(namespace, statefulSet); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            Optional<String> problem;
            // A transaction id is refused in recovery and on a read-only server; its commit reaches the WAL.
            try (ResultSet r = s.executeQuery("SELECT pg_current_xact_id(), current_setting('transaction_read_only')")) {
                r.next();
                problem = "on".equals(r.getString(2)) ? Optional.of("the server is read-only") : Optional.empty();
            }
            c.commit();
            // A WAL file's name begins with its timeline, eight hex digits (postgres xlog_internal.h, XLogFileName).
            try (ResultSet r = s.executeQuery("SELECT pg_last_wal_replay_lsn()::text, CASE WHEN pg_is_in_recovery()"
                    + " THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END")) {
                r.next();
                String walFile = r.getString(2);
                return new DatabaseSeen(problem, Optional.ofNullable(r.getString(1)),
                        Optional.ofNullable(walFile).map(f -> Long.parseLong(f.substring(0, 8), 16)));
            }
        } catch (Exception e) {
            return new DatabaseSeen(Optional.of("no write: " + DatabaseEndpoints.withRootCause(e)), Optional.empty(),
                    Optional.empty());
        }
    }

    @Override
    public void resetRecoverySettings(String namespace, String statefulSet) throws Exception {
        try (Connection c = connect(namespace, statefulSet); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM RESET recovery_target_lsn");
            s.execute("ALTER SYSTEM RESET recovery_target_action");
            s.execute("ALTER SYSTEM RESET restore_command");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /** A session on one pod (a drill's throw-away PostgreSQL, which no Service selects). */
    public Connection connectToPod(String namespace, String statefulSet, Pod pod) throws Exception {
        return endpoints.ofPod(namespace, statefulSet, pod).dataSource(TIMEOUT_SECONDS, TIMEOUT_SECONDS,
                "pgwarden drill").getConnection();
    }

    private Connection connect(String namespace, String name) throws Exception {
        return endpoints.of(namespace, name).dataSource(TIMEOUT_SECONDS, TIMEOUT_SECONDS, "pgwarden restore")
                .getConnection();
    }
}
