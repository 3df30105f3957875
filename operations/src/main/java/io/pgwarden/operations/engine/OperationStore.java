package io.pgwarden.operations.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.RunQueue;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Table {@code operation} of the service's schema. Every write of a running operation is conditional on
 * the writer's claim, so a runner whose claim lapsed cannot overwrite the one that took over.
 */
@ApplicationScoped
public class OperationStore {
    private static final String ACTIVE = "('ACCEPTED', 'RUNNING')";
    private static final String COLUMNS = "id, seq, kind, subject, command_type, correlation_id, command, phase,"
            + " data::text, state, step, reason, attempt, next_attempt_at, deadline, owner, claim_expires_at,"
            + " status_sequence, created_at, updated_at, requested_by";
    private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {
    };

    /** Records a new operation; false when one with its id exists (a redelivered command). */
    public boolean insert(Connection tx, Operation op) throws SQLException {
        String sql = "INSERT INTO operation (id, kind, subject, command_type, correlation_id, command, phase, data,"
                + " state, step, reason, attempt, next_attempt_at, deadline, status_sequence, created_at, updated_at,"
                + " requested_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO NOTHING";
        try (PreparedStatement s = tx.prepareStatement(sql)) {
            s.setString(1, op.id());
            s.setString(2, op.kind());
            s.setString(3, op.subject());
            s.setString(4, op.commandType());
            s.setString(5, op.correlationId());
            s.setBytes(6, op.command());
            s.setString(7, op.phase());
            s.setString(8, json(op.data()));
            s.setString(9, op.state().name());
            s.setString(10, op.step());
            s.setString(11, op.reason());
            s.setTimestamp(12, ts(op.nextAttemptAt()));
            s.setTimestamp(13, ts(op.deadline()));
            s.setLong(14, op.statusSequence());
            s.setTimestamp(15, ts(op.createdAt()));
            s.setTimestamp(16, ts(op.updatedAt()));
            s.setString(17, op.requestedBy());
            return s.executeUpdate() == 1;
        }
    }

    public Optional<Operation> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM operation WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The oldest unfinished operation of every subject: the only one of each that may run now. */
    public List<RunQueue.Head> heads(Connection c) throws SQLException {
        String sql = "SELECT DISTINCT ON (subject) id, subject, next_attempt_at, owner, claim_expires_at"
                + " FROM operation WHERE state IN " + ACTIVE + " ORDER BY subject, seq";
        List<RunQueue.Head> heads = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                heads.add(new RunQueue.Head(rs.getString(1), rs.getString(2), instant(rs.getTimestamp(3)),
                        rs.getString(4), instant(rs.getTimestamp(5))));
            }
        }
        return heads;
    }

    /**
     * Claims the given operations for runner until claimUntil, those still unfinished and not held by
     * another runner's live claim; returns what it claimed.
     */
    public List<Operation> claim(Connection tx, List<String> ids, String runner, Instant now, Instant claimUntil)
            throws SQLException {
        String sql = "UPDATE operation SET owner = ?, claim_expires_at = ? WHERE id = ANY (?) AND state IN " + ACTIVE
                + " AND (owner IS NULL OR owner = ? OR claim_expires_at <= ?) RETURNING " + COLUMNS;
        try (PreparedStatement s = tx.prepareStatement(sql)) {
            s.setString(1, runner);
            s.setTimestamp(2, ts(claimUntil));
            s.setArray(3, tx.createArrayOf("text", ids.toArray()));
            s.setString(4, runner);
            s.setTimestamp(5, ts(now));
            return readAll(s);
        }
    }

    /** Claims the oldest unfinished operation of subject, when it is due and free. */
    public Optional<Operation> claimNextOf(Connection tx, String subject, String runner, Instant now,
                                           Instant claimUntil) throws SQLException {
        String sql = "UPDATE operation SET owner = ?, claim_expires_at = ? WHERE id = (SELECT id FROM operation"
                + " WHERE subject = ? AND state IN " + ACTIVE + " ORDER BY seq LIMIT 1)"
                + " AND next_attempt_at <= ? AND (owner IS NULL OR owner = ? OR claim_expires_at <= ?)"
                + " RETURNING " + COLUMNS;
        try (PreparedStatement s = tx.prepareStatement(sql)) {
            s.setString(1, runner);
            s.setTimestamp(2, ts(claimUntil));
            s.setString(3, subject);
            s.setTimestamp(4, ts(now));
            s.setString(5, runner);
            s.setTimestamp(6, ts(now));
            return readAll(s).stream().findFirst();
        }
    }

    private static List<Operation> readAll(PreparedStatement s) throws SQLException {
        List<Operation> read = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                read.add(OperationStore.read(rs));
            }
        }
        read.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return read;
    }

    /**
     * Writes the operation's new state if runner's claim still holds at now, extending it to claimUntil
     * (or releasing it when the operation is final); false when the claim was lost.
     */
    public boolean save(Connection tx, Operation op, String runner, Instant now, Instant claimUntil)
            throws SQLException {
        String sql = "UPDATE operation SET phase = ?, data = ?::jsonb, state = ?, step = ?, reason = ?, attempt = ?,"
                + " next_attempt_at = ?, status_sequence = ?, updated_at = ?, owner = ?, claim_expires_at = ?,"
                + " deadline = ? WHERE id = ? AND owner = ? AND claim_expires_at > ?";
        try (PreparedStatement s = tx.prepareStatement(sql)) {
            boolean done = op.isFinal();
            s.setString(1, op.phase());
            s.setString(2, json(op.data()));
            s.setString(3, op.state().name());
            s.setString(4, op.step());
            s.setString(5, op.reason());
            s.setInt(6, op.attempt());
            s.setTimestamp(7, ts(op.nextAttemptAt()));
            s.setLong(8, op.statusSequence());
            s.setTimestamp(9, ts(op.updatedAt()));
            s.setString(10, done ? null : runner);
            s.setTimestamp(11, done ? null : ts(claimUntil));
            s.setTimestamp(12, ts(op.deadline()));
            s.setString(13, op.id());
            s.setString(14, runner);
            s.setTimestamp(15, ts(now));
            return s.executeUpdate() == 1;
        }
    }

    /** Makes the unfinished operations of subject due now: an event about it arrived. */
    public int makeDue(Connection c, String subject, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE operation SET next_attempt_at = ?"
                + " WHERE subject = ? AND state IN " + ACTIVE + " AND next_attempt_at > ?")) {
            s.setTimestamp(1, ts(now));
            s.setString(2, subject);
            s.setTimestamp(3, ts(now));
            return s.executeUpdate();
        }
    }

    private static Operation read(ResultSet rs) throws SQLException {
        return new Operation(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getBytes(7), rs.getString(8), data(rs.getString(9)),
                CommandState.valueOf(rs.getString(10)), rs.getString(11), rs.getString(12), rs.getInt(13),
                instant(rs.getTimestamp(14)), instant(rs.getTimestamp(15)), rs.getString(16),
                instant(rs.getTimestamp(17)), rs.getLong(18), instant(rs.getTimestamp(19)),
                instant(rs.getTimestamp(20)), rs.getString(21));
    }

    private static Map<String, String> data(String json) {
        try {
            return json == null ? Map.of() : Json.MAPPER.readValue(json, DATA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(Map<String, String> data) {
        return new String(Json.write(data), StandardCharsets.UTF_8);
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
