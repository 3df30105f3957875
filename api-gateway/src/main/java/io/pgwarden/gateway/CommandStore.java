package io.pgwarden.gateway;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/** The commands the gateway knows of, in table {@code command} of schema {@code gateway}. */
@ApplicationScoped
public class CommandStore {
    private static final String[] FINAL_STATES = Arrays.stream(CommandState.values())
            .filter(CommandState::isFinal).map(Enum::name).toArray(String[]::new);

    @Inject
    DataSource dataSource;

    public void submitted(MessageMetadata command, String subject) {
        String sql = "INSERT INTO command (command_id, command_type, subject, correlation_id, state, submitted_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (command_id) DO NOTHING";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, command.id());
            s.setString(2, command.type());
            s.setString(3, subject);
            s.setString(4, command.correlationId());
            s.setString(5, CommandView.SUBMITTED);
            s.setTimestamp(6, Timestamp.from(command.time()));
            s.setTimestamp(7, Timestamp.from(command.time()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record command " + command.id(), e);
        }
    }

    /**
     * Applies a status; a final state is never overwritten by a late or re-sent earlier one.
     * Commands other systems sent straight to Kafka appear here with their first status.
     */
    public void apply(CommandStatusChanged status, String correlationId, Instant at) {
        String sql = """
                INSERT INTO command (command_id, command_type, subject, correlation_id, state, step, reason, service,
                                     updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (command_id) DO UPDATE SET
                    command_type = COALESCE(command.command_type, EXCLUDED.command_type),
                    subject = COALESCE(command.subject, EXCLUDED.subject),
                    state = EXCLUDED.state, step = EXCLUDED.step, reason = EXCLUDED.reason,
                    service = EXCLUDED.service, updated_at = EXCLUDED.updated_at
                WHERE command.state <> ALL (?)""";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, status.commandId());
            s.setString(2, status.commandType());
            s.setString(3, status.subject());
            s.setString(4, correlationId);
            s.setString(5, status.state().name());
            s.setString(6, status.step());
            s.setString(7, status.reason());
            s.setString(8, status.service());
            s.setTimestamp(9, Timestamp.from(at));
            s.setArray(10, c.createArrayOf("text", FINAL_STATES));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the status of command " + status.commandId(), e);
        }
    }

    public Optional<CommandView> find(String id) {
        String sql = "SELECT command_type, subject, correlation_id, state, step, reason, service, submitted_at,"
                + " updated_at FROM command WHERE command_id = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp submitted = rs.getTimestamp(8);
                return Optional.of(new CommandView(id, rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        submitted == null ? null : submitted.toInstant(), rs.getTimestamp(9).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read command " + id, e);
        }
    }
}
