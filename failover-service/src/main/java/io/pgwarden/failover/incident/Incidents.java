package io.pgwarden.failover.incident;

import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.command.UnfenceNode;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.Transition;
import io.pgwarden.operations.core.Transitions;
import io.pgwarden.operations.engine.OperationDriver;
import io.pgwarden.operations.engine.OperationStore;
import io.pgwarden.outbox.Outbox;
import io.pgwarden.outbox.Transactions;
import io.pgwarden.service.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Incidents as rows of the operation engine (kind {@code NodeIncident}, subject the node). One per silence of a
 * node: the id names the node and the lease renewal it fell silent after, so the same silence never opens two, and a
 * node that came back and fell silent again opens a new one.
 */
@ApplicationScoped
public class Incidents {
    private static final Logger LOG = Logger.getLogger(Incidents.class);
    public static final String KIND = NodeIncident.class.getSimpleName();
    static final String TYPE = "io.pgwarden." + KIND;

    private final DataSource dataSource;
    private final OperationStore store;
    private final Outbox outbox;
    private final OperationDriver driver;
    private final ServiceConfig service;
    private final Clock clock;

    Incidents(DataSource dataSource, OperationStore store, Outbox outbox, OperationDriver driver, ServiceConfig service,
              Clock clock) {
        this.dataSource = dataSource;
        this.store = store;
        this.outbox = outbox;
        this.driver = driver;
        this.service = service;
        this.clock = clock;
    }

    static String id(String node, Instant leaseRenewedAt) {
        return "incident-" + node + "-" + (leaseRenewedAt == null ? "never" : leaseRenewedAt.toEpochMilli());
    }

    /** Opens the incident of this silence of the node, unless it exists or another incident of the node is open. */
    public void openIfNone(NodeHealthChanged health) throws SQLException {
        String id = id(health.node(), health.leaseRenewedAt());
        NodeIncident incident = new NodeIncident(health.node(), health.observedAt(), health.leaseRenewedAt());
        if (record(id, KIND, TYPE, health.node(), Json.write(incident), true)) {
            LOG.infof("opened incident %s: node %s is %s (%s)", id, health.node(), health.liveness(),
                    health.livenessReason());
        }
    }

    /** Asks for the unfence of a recovered incident's node, once. */
    public void requestUnfence(String incidentId, String node) throws SQLException {
        String id = "unfence-" + incidentId;
        if (record(id, UnfenceNode.class.getSimpleName(), "io.pgwarden.UnfenceNode", node,
                Json.write(new UnfenceNode(node, false, "automatic unfence after incident " + incidentId)), false)) {
            LOG.infof("asked for the unfence of node %s after incident %s", node, incidentId);
        }
    }

    /** Recovered incidents whose node has no unfence asked for yet: id and node. */
    public List<String[]> recoveredWithoutUnfence() throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("SELECT i.id, i.subject FROM operation i WHERE i.kind = ?"
                    + " AND i.phase = 'recovered' AND i.state = 'SUCCEEDED' AND NOT EXISTS (SELECT 1 FROM operation u"
                    + " WHERE u.id = 'unfence-' || i.id)")) {
                s.setString(1, KIND);
                try (ResultSet r = s.executeQuery()) {
                    List<String[]> found = new java.util.ArrayList<>();
                    while (r.next()) {
                        found.add(new String[]{r.getString(1), r.getString(2)});
                    }
                    return found;
                }
            }
        });
    }

    /** Records an operation pgwarden gives itself, with its ACCEPTED status; false when it exists already. */
    private boolean record(String id, String kind, String type, String node, byte[] command, boolean onlyIfNoneOpen)
            throws SQLException {
        Instant now = clock.instant();
        Operation op = new Operation(id, 0, kind, node, type, id, command, Operation.START, Map.of(),
                CommandState.ACCEPTED, null, null, 0, now, null, null, null, 1, now, now);
        Transition t = Transitions.accepted(op);
        boolean recorded = Transactions.inTransaction(dataSource, tx -> {
            if ((onlyIfNoneOpen && isOpen(tx, node)) || !store.insert(tx, t.operation())) {
                return false;
            }
            for (Transition.Status s : t.statuses()) {
                outbox.add(tx, new CommandStatusChanged(id, type, node, s.state(), s.step(), s.reason(),
                        service.service(), s.sequence()), id, id, id);
            }
            return true;
        });
        if (recorded) {
            outbox.committed();
            driver.recorded(List.of(node), System.nanoTime());
        }
        return recorded;
    }

    private static boolean isOpen(Connection tx, String node) throws SQLException {
        try (PreparedStatement s = tx.prepareStatement("SELECT 1 FROM operation WHERE kind = ? AND subject = ?"
                + " AND state IN ('ACCEPTED', 'RUNNING')")) {
            s.setString(1, KIND);
            s.setString(2, node);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Fences other incidents started since {@code since}: the fence rate limit's count. */
    public int fencesStartedSince(Instant since, String exceptId) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("SELECT count(*) FROM operation WHERE kind = ? AND id <> ?"
                    + " AND (data->>'at.fencing')::timestamptz >= ?")) {
                s.setString(1, KIND);
                s.setString(2, exceptId);
                s.setTimestamp(3, Timestamp.from(since));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getInt(1);
                }
            }
        });
    }

    /** The node's latest incident, open or ended. */
    public java.util.Optional<Operation> latestOf(String node) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> {
            try (PreparedStatement s = tx.prepareStatement("SELECT id FROM operation WHERE kind = ? AND subject = ?"
                    + " ORDER BY seq DESC LIMIT 1")) {
                s.setString(1, KIND);
                s.setString(2, node);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? store.find(tx, r.getString(1)) : java.util.Optional.<Operation>empty();
                }
            }
        });
    }

    /** Whether the operation of this service with that id is finished (true when there is none). */
    public boolean isFinished(String operationId) throws SQLException {
        return Transactions.inTransaction(dataSource, tx -> store.find(tx, operationId)).map(Operation::isFinal)
                .orElse(true);
    }
}
