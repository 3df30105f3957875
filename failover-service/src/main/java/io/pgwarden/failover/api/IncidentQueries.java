package io.pgwarden.failover.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.event.CommandState;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads incidents from the engine's table {@code operation}, where each is an operation of kind
 * {@code NodeIncident}. Read-only: the incident's runner is the only writer.
 */
@ApplicationScoped
public class IncidentQueries {
    static final String KIND = NodeIncident.class.getSimpleName();
    private static final String COLUMNS = "id, subject, phase, state, step, reason, data::text, created_at, updated_at";
    private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {
    };

    private final DataSource dataSource;

    public IncidentQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The newest first; node and state null mean any; with {@code before} (an incident id, which the caller checked),
     * only incidents older than it.
     */
    public List<IncidentView.Row> list(String node, IncidentState state, int limit, String before)
            throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM operation WHERE kind = ?"
                + (node == null ? "" : " AND subject = ?")
                + (state == null ? "" : " AND " + state.condition())
                + (before == null ? "" : " AND seq < (SELECT seq FROM operation WHERE kind = ? AND id = ?)")
                + " ORDER BY seq DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, KIND);
            if (node != null) {
                s.setString(i++, node);
            }
            if (before != null) {
                s.setString(i++, KIND);
                s.setString(i++, before);
            }
            s.setInt(i, limit);
            List<IncidentView.Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
            return rows;
        }
    }

    public Optional<IncidentView.Row> find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM operation WHERE kind = ? AND id = ?")) {
            s.setString(1, KIND);
            s.setString(2, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * The newest incident of each of these databases ({@code namespace/name}): the last whose data lists it among
     * the databases it failed over (decide/IncidentDecider writes them, comma-separated, at confirmation).
     */
    public Map<String, IncidentView.Row> lastPerDatabase(Collection<String> databases) throws SQLException {
        if (databases.isEmpty()) {
            return Map.of();
        }
        String sql = "SELECT DISTINCT ON (trim(db)) " + COLUMNS + ", trim(db) FROM operation"
                + " CROSS JOIN LATERAL unnest(string_to_array(data->>'" + IncidentView.DATABASES + "', ',')) AS db"
                + " WHERE kind = ? AND trim(db) = ANY (?) ORDER BY trim(db), seq DESC";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, KIND);
            s.setArray(2, c.createArrayOf("text", databases.toArray()));
            Map<String, IncidentView.Row> last = new HashMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    last.put(rs.getString(10), read(rs));
                }
            }
            return last;
        }
    }

    private static IncidentView.Row read(ResultSet rs) throws SQLException {
        return new IncidentView.Row(rs.getString(1), rs.getString(2), rs.getString(3),
                CommandState.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6), data(rs.getString(7)),
                instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)));
    }

    private static Map<String, String> data(String json) {
        try {
            return json == null ? Map.of() : Json.MAPPER.readValue(json, DATA);
        } catch (IOException e) {
            throw new UncheckedIOException("operation data is not a map of strings", e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
