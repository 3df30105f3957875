package io.pgwarden.e2e;

import io.pgwarden.contracts.Json;
import io.pgwarden.embedded.CatalogDatabase;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Optional;

/**
 * Node incidents as failover-service keeps them in the catalog ({@code failover.operation}, kind NodeIncident): the
 * columns id, state, phase, step, reason, node, and the data, with each phase's start as {@code at.<phase>}.
 */
final class IncidentRecords {
    static final List<String> PHASES = List.of("suspected", "confirmed", "fencing", "fenced", "releasing",
            "recovering", "recovered", "aborted", "failed");

    private IncidentRecords() {
    }

    /** The node's first incident opened since the instant. */
    static Optional<Map<String, String>> first(String catalogJdbcUrl, String node, Instant since) throws SQLException {
        List<Map<String, String>> found = query(catalogJdbcUrl, " AND subject = ?", node, since, 1);
        return found.stream().findFirst();
    }

    /** Every node's incidents opened since the instant, oldest first. */
    static List<Map<String, String>> since(String catalogJdbcUrl, Instant since) throws SQLException {
        return query(catalogJdbcUrl, "", null, since, Integer.MAX_VALUE);
    }

    /** The engine has finished the incident: recovered, aborted or failed. */
    static boolean ended(Map<String, String> incident) {
        return !List.of("ACCEPTED", "RUNNING").contains(incident.get("state"));
    }

    /** Each phase's start, in ms after the fault. */
    static String phases(Map<String, String> incident, Instant fault) {
        List<String> parts = new ArrayList<>();
        for (String phase : PHASES) {
            String at = incident.get("at." + phase);
            if (at != null) {
                parts.add(phase + " +" + Duration.between(fault, Instant.parse(at)).toMillis() + " ms");
            }
        }
        return String.join(", ", parts);
    }

    private static List<Map<String, String>> query(String catalogJdbcUrl, String condition, String node,
                                                   Instant since, int limit) throws SQLException {
        // Bounded, so a catalog that stops answering fails the read saying so instead of hanging the test's wait.
        Properties login = new Properties();
        login.setProperty("user", CatalogDatabase.USER);
        login.setProperty("password", "");
        login.setProperty("connectTimeout", "5");
        login.setProperty("socketTimeout", "10");
        try (Connection c = DriverManager.getConnection(catalogJdbcUrl, login);
             PreparedStatement s = c.prepareStatement("SELECT id, state, phase, step, reason, subject, data::text"
                     + " FROM failover.operation WHERE kind = 'NodeIncident' AND created_at >= ?" + condition
                     + " ORDER BY seq LIMIT " + limit)) {
            s.setTimestamp(1, Timestamp.from(since));
            if (node != null) {
                s.setString(2, node);
            }
            List<Map<String, String>> incidents = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Map<String, String> incident = new LinkedHashMap<>();
                    Json.MAPPER.readTree(r.getString(7)).fields().forEachRemaining(e -> incident.put(e.getKey(),
                            e.getValue().asText()));
                    incident.put("id", r.getString(1));
                    incident.put("state", r.getString(2));
                    incident.put("phase", r.getString(3));
                    incident.put("step", r.getString(4));
                    incident.put("reason", r.getString(5));
                    incident.put("node", r.getString(6));
                    incidents.add(incident);
                }
            } catch (IOException e) {
                throw new SQLException("unreadable incident data", e);
            }
            return incidents;
        }
    }
}
