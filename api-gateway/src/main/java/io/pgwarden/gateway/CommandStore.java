package io.pgwarden.gateway;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** The commands the gateway knows of, in table {@code command} of schema {@code gateway}. */
@ApplicationScoped
public class CommandStore {
    private static final String[] FINAL_STATES = Arrays.stream(CommandState.values())
            .filter(CommandState::isFinal).map(Enum::name).toArray(String[]::new);

    /**
     * A status applies only when its sequence is higher than the one stored and the stored state is not
     * final: a late ACCEPTED after RUNNING, a redelivered status, or anything after SUCCEEDED, FAILED or
     * REJECTED changes nothing. A status of a command the gateway did not submit creates its row.
     */
    private static final String APPLY = """
            INSERT INTO command (command_id, command_type, subject, correlation_id, state, step, reason, service,
                                 sequence, updated_at, requested_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (command_id) DO UPDATE SET
                command_type = COALESCE(command.command_type, EXCLUDED.command_type),
                subject = COALESCE(command.subject, EXCLUDED.subject),
                requested_by = COALESCE(command.requested_by, EXCLUDED.requested_by),
                state = EXCLUDED.state, step = EXCLUDED.step, reason = EXCLUDED.reason,
                service = EXCLUDED.service, sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at
            WHERE command.sequence < EXCLUDED.sequence AND command.state <> ALL (?)""";

    private static final String COLUMNS = "command_id, command_type, subject, correlation_id, requested_by, state, step,"
            + " reason, service, sequence, submitted_at, updated_at, expires_at, list_position";
    private static final String SELECT = "SELECT " + COLUMNS + " FROM command WHERE command_id = ?";

    private final DataSource dataSource;
    private final Clock clock;

    public CommandStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Records a command the gateway is about to send, in the caller's transaction; returns how it shows. */
    public CommandView submitted(Connection tx, MessageMetadata command, String subject) throws SQLException {
        String sql = "INSERT INTO command (command_id, command_type, subject, correlation_id, requested_by, state,"
                + " sequence, submitted_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)";
        try (PreparedStatement s = tx.prepareStatement(sql)) {
            s.setString(1, command.id());
            s.setString(2, command.type());
            s.setString(3, subject);
            s.setString(4, command.correlationId());
            s.setString(5, command.requestedBy());
            s.setString(6, CommandView.SUBMITTED);
            s.setTimestamp(7, Timestamp.from(command.time()));
            s.setTimestamp(8, Timestamp.from(command.time()));
            s.setTimestamp(9, command.expiresAt() == null ? null : Timestamp.from(command.expiresAt()));
            s.executeUpdate();
        }
        return new CommandView(command.id(), command.type(), subject, command.correlationId(), command.requestedBy(),
                CommandView.SUBMITTED, null, null, null, 0, command.time(), command.time(), command.expiresAt(),
                command.time());
    }

    /**
     * Applies a status in order (see {@link #APPLY}); returns whether it changed the command.
     *
     * @throws SQLException when the database cannot take it now; the status is then still to be applied
     */
    public boolean apply(CommandStatusChanged status, String correlationId, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(APPLY)) {
            s.setString(1, status.commandId());
            s.setString(2, status.commandType());
            s.setString(3, status.subject());
            s.setString(4, correlationId);
            s.setString(5, status.state().name());
            s.setString(6, status.step());
            s.setString(7, status.reason());
            s.setString(8, status.service());
            s.setLong(9, status.sequence());
            s.setTimestamp(10, Timestamp.from(at));
            s.setString(11, status.requestedBy());
            s.setArray(12, c.createArrayOf("text", FINAL_STATES));
            return s.executeUpdate() > 0;
        }
    }

    public Optional<CommandView> find(String id) {
        try (Connection c = dataSource.getConnection()) {
            return find(c, id);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read command " + id, e);
        }
    }

    /** Reads a command on the given connection (in the caller's transaction). */
    public Optional<CommandView> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(view(rs, clock.instant())) : Optional.empty();
            }
        }
    }

    /** A page of commands, newest first (by {@code list_position}), and the cursor of the next one. */
    public CommandPage list(CommandQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM command WHERE true");
        List<Object> parameters = new ArrayList<>();
        if (query.after() != null) {
            sql.append(" AND list_position < ?");
            parameters.add(query.after());
        }
        if (query.state() != null) {
            sql.append(" AND state = ?");
            parameters.add(query.state());
        }
        if (!query.subjects().isEmpty()) {
            sql.append(" AND subject IN (").append(String.join(", ", Collections.nCopies(query.subjects().size(), "?")))
                    .append(")");
            parameters.addAll(query.subjects());
        }
        // One more than the page: whether it exists says whether there is a next page.
        sql.append(" ORDER BY list_position DESC LIMIT ?");
        parameters.add(query.limit() + 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                s.setObject(i + 1, parameters.get(i));
            }
            Instant observedAt = clock.instant();
            List<CommandView> items = new ArrayList<>();
            long last = 0;
            boolean more = false;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (items.size() == query.limit()) {
                        more = true;
                        break;
                    }
                    items.add(view(rs, observedAt));
                    last = rs.getLong("list_position");
                }
            }
            return new CommandPage(items, more ? CommandQuery.cursor(last) : null, observedAt);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list commands", e);
        }
    }

    private static CommandView view(ResultSet rs, Instant observedAt) throws SQLException {
        return new CommandView(rs.getString("command_id"), rs.getString("command_type"), rs.getString("subject"),
                rs.getString("correlation_id"), rs.getString("requested_by"), rs.getString("state"),
                rs.getString("step"), rs.getString("reason"), rs.getString("service"), rs.getLong("sequence"),
                instant(rs.getTimestamp("submitted_at")), instant(rs.getTimestamp("updated_at")),
                instant(rs.getTimestamp("expires_at")), observedAt);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
