package io.pgwarden.database;

import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** {@link DatabaseWrites} over JDBC, at the database's {@link DatabaseEndpoints endpoint}. */
@Singleton
public class PostgresWrites implements DatabaseWrites {
    /** Seconds. A database that does not answer this fast is not back yet; the caller asks again. */
    private static final int TIMEOUT_SECONDS = 2;

    private final DatabaseEndpoints endpoints;

    public PostgresWrites(DatabaseEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public Optional<String> tryWrite(String namespace, String statefulSet) {
        DatabaseEndpoints.Endpoint endpoint;
        try {
            endpoint = endpoints.of(namespace, statefulSet);
        } catch (DatabaseEndpoints.Unreachable e) {
            return Optional.of(e.getMessage());
        }
        try {
            return write(endpoint).map(problem -> endpoint.database() + endpoint.describe() + ": " + problem);
        } catch (SQLException e) {
            return Optional.of("no write to " + endpoint.database() + endpoint.describe() + ": "
                    + DatabaseEndpoints.withRootCause(e));
        }
    }

    /**
     * Assigns a transaction id and commits: a standby, or a server still in recovery, refuses to assign one, and the
     * commit of a transaction that has one writes a commit record to the WAL and (synchronous_commit local) waits
     * until it is flushed. So a success proves the server is a primary that can write its volume, and nothing is
     * created in the user's database. A session that is read-only by default would refuse the application's writes
     * too, so it counts as a failure.
     */
    private static Optional<String> write(DatabaseEndpoints.Endpoint endpoint) throws SQLException {
        try (Connection connection = endpoint.dataSource(TIMEOUT_SECONDS, TIMEOUT_SECONDS, "pgwarden write check")
                .getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL synchronous_commit = local");
            try (ResultSet row = statement.executeQuery(
                    "SELECT pg_current_xact_id(), current_setting('transaction_read_only')")) {
                row.next();
                if ("on".equals(row.getString(2))) {
                    connection.rollback();
                    return Optional.of("the server is read-only (transaction_read_only = on)");
                }
            }
            connection.commit();
            return Optional.empty();
        }
    }
}
