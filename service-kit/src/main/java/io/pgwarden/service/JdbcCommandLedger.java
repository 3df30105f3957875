package io.pgwarden.service;

import io.pgwarden.contracts.event.CommandState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/** The ledger in the service's own schema; table {@code command_ledger} comes from its Flyway migration. */
@ApplicationScoped
public class JdbcCommandLedger implements CommandLedger {

    @Inject
    DataSource dataSource;

    @Inject
    Clock clock;

    @Override
    public Optional<Entry> find(String commandId) {
        String sql = "SELECT command_type, subject, state, step, reason FROM command_ledger WHERE command_id = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, commandId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Entry(commandId, rs.getString(1), rs.getString(2),
                        CommandState.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    @Override
    public boolean accept(String commandId, String commandType, String subject) {
        String sql = "INSERT INTO command_ledger (command_id, command_type, subject, state, accepted_at, updated_at)"
                + " VALUES (?, ?, ?, 'ACCEPTED', ?, ?) ON CONFLICT (command_id) DO NOTHING";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            Timestamp now = Timestamp.from(clock.instant());
            s.setString(1, commandId);
            s.setString(2, commandType);
            s.setString(3, subject);
            s.setTimestamp(4, now);
            s.setTimestamp(5, now);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    @Override
    public void update(String commandId, CommandState state, String step, String reason) {
        String sql = "UPDATE command_ledger SET state = ?, step = ?, reason = ?, updated_at = ? WHERE command_id = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, state.name());
            s.setString(2, step);
            s.setString(3, reason);
            s.setTimestamp(4, Timestamp.from(clock.instant()));
            s.setString(5, commandId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerException(e);
        }
    }

    /** The ledger is unreachable: the command is not acknowledged and will be delivered again. */
    public static final class LedgerException extends RuntimeException {
        LedgerException(SQLException cause) {
            super("command ledger: " + cause.getMessage(), cause);
        }
    }
}
