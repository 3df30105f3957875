package io.pgwarden.backup.take;

import io.pgwarden.backup.decide.BackupView.SessionSeen;
import io.pgwarden.backup.decide.BackupView.StopResult;
import io.pgwarden.database.DatabaseEndpoints;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One JDBC session per running online backup, held between {@code pg_backup_start} and {@code pg_backup_stop}: the
 * non-exclusive API ties the backup to its session, and a session that ends with a backup in progress aborts it
 * (postgres {@code src/backend/access/transam/xlogfuncs.c}, {@code pg_backup_start} registers
 * {@code do_pg_abort_backup} to run at session exit). A session lives in this process only, so after a restart an
 * operation finds none, and its decider fails it.
 */
@Singleton
public class BackupSessions {
    private static final Logger LOG = Logger.getLogger(BackupSessions.class);
    /** What pg_stat_activity shows for a backup session. */
    public static final String APPLICATION_NAME = "pgwarden backup";
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final DatabaseEndpoints endpoints;
    private final BackupConfig config;

    public BackupSessions(DatabaseEndpoints endpoints, BackupConfig config) {
        this.endpoints = endpoints;
        this.config = config;
    }

    private static final class Session {
        volatile Connection connection;
        volatile String startLsn;
        volatile StopResult stop;
        volatile String problem;
    }

    /** Opens the session and starts the backup on it; what goes wrong is kept for the decider to see. */
    public void start(String operationId, String namespace, String cluster, String label) {
        Session existing = sessions.get(operationId);
        if (existing != null && existing.problem == null && existing.startLsn != null) {
            return;
        }
        close(operationId);
        Session session = new Session();
        sessions.put(operationId, session);
        DatabaseEndpoints.Endpoint endpoint;
        try {
            endpoint = endpoints.of(namespace, cluster);
        } catch (DatabaseEndpoints.Unreachable e) {
            session.problem = e.getMessage();
            return;
        }
        // A socket timeout past the longer step limit, so a database that never answers cannot hold the engine.
        int socketTimeout = (int) Math.max(config.backupStartTimeout().toSeconds(),
                config.backupStopTimeout().toSeconds()) + 10;
        try {
            session.connection = endpoint.dataSource(CONNECT_TIMEOUT_SECONDS, socketTimeout, APPLICATION_NAME)
                    .getConnection();
            session.connection.setAutoCommit(true);
            try (PreparedStatement start = session.connection.prepareStatement(
                    "SELECT pg_backup_start(?, fast => true)::text")) {
                start.setString(1, label);
                try (ResultSet row = start.executeQuery()) {
                    row.next();
                    session.startLsn = row.getString(1);
                }
            }
            LOG.infof("backup session of %s: pg_backup_start('%s') at LSN %s", endpoint.database(), label,
                    session.startLsn);
        } catch (SQLException e) {
            session.problem = "pg_backup_start on " + endpoint.database() + endpoint.describe() + ": "
                    + DatabaseEndpoints.withRootCause(e);
            closeQuietly(session);
        }
    }

    /** {@code pg_backup_stop} on the session; its result, or what went wrong, is kept for the decider. */
    public void stop(String operationId) {
        Session session = sessions.get(operationId);
        if (session == null || session.stop != null || session.problem != null || session.connection == null) {
            return;
        }
        try (PreparedStatement stop = session.connection.prepareStatement(
                "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(wait_for_archive => false)");
             ResultSet row = stop.executeQuery()) {
            row.next();
            session.stop = new StopResult(row.getString(1), row.getString(2), row.getString(3));
        } catch (SQLException e) {
            session.problem = "pg_backup_stop failed: " + DatabaseEndpoints.withRootCause(e);
        }
    }

    /** Ends the session; a backup still in progress on it ends with it. */
    public void close(String operationId) {
        Session session = sessions.remove(operationId);
        if (session != null) {
            closeQuietly(session);
        }
    }

    public SessionSeen seen(String operationId) {
        Session session = sessions.get(operationId);
        if (session == null) {
            return SessionSeen.NONE;
        }
        Optional<String> startLsn = Optional.ofNullable(session.startLsn);
        if (session.problem != null) {
            return new SessionSeen(SessionSeen.State.LOST, startLsn, Optional.empty(), Optional.of(session.problem));
        }
        if (session.stop != null) {
            return new SessionSeen(SessionSeen.State.STOPPED, startLsn, Optional.of(session.stop), Optional.empty());
        }
        if (!alive(session)) {
            session.problem = "the connection to the database ended (its backend was terminated, or the server"
                    + " restarted)";
            closeQuietly(session);
            return new SessionSeen(SessionSeen.State.LOST, startLsn, Optional.empty(), Optional.of(session.problem));
        }
        return new SessionSeen(SessionSeen.State.STARTED, startLsn, Optional.empty(), Optional.empty());
    }

    /** pgjdbc's isValid sends an empty query: a terminated backend answers nothing. */
    private static boolean alive(Session session) {
        try {
            return session.connection != null && session.connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Session session) {
        Connection connection = session.connection;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debugf("closing a backup session: %s", e.getMessage());
            }
        }
    }

    @PreDestroy
    void closeAll() {
        sessions.keySet().forEach(this::close);
    }
}
