package io.pgwarden.failover.incident;

import io.pgwarden.outbox.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The global pause of automatic failover, as table {@code failover_pause} records it. */
@ApplicationScoped
public class FailoverPause {
    private final DataSource dataSource;

    FailoverPause(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Set while paused: who paused it, when and why, in words. */
    public Optional<String> pausedBecause() throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement(
                    "SELECT reason, command_id, changed_at FROM failover_pause WHERE id = 1 AND paused");
                 ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of("paused at " + r.getTimestamp(3).toInstant() + " by command "
                        + r.getString(2) + (r.getString(1) == null ? "" : ": " + r.getString(1))) : Optional.empty();
            }
        });
    }

    public void set(boolean paused, String reason, String commandId, Instant at) throws SQLException {
        Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("INSERT INTO failover_pause (id, paused, reason, command_id,"
                    + " changed_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET paused = excluded.paused,"
                    + " reason = excluded.reason, command_id = excluded.command_id, changed_at = excluded.changed_at")) {
                s.setBoolean(1, paused);
                s.setString(2, reason);
                s.setString(3, commandId);
                s.setTimestamp(4, Timestamp.from(at));
                s.executeUpdate();
            }
            return null;
        });
    }
}
