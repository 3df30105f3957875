package io.pgwarden.failover.api;

import io.pgwarden.testing.KafkaAndPostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** Incidents read from rows of the engine's operation table, on a real PostgreSQL. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(KafkaAndPostgresResource.class)
class IncidentsIT {
    private static final Instant T0 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);

    @Inject
    DataSource dataSource;

    // Per test, so the rows of one test never match another's queries.
    private String nodeA;
    private String nodeB;
    private String recovered;
    private String open;
    private String aborted;
    private String failed;
    private String cordon;

    @BeforeEach
    void insertIncidents() throws SQLException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        nodeA = "it-a-" + run;
        nodeB = "it-b-" + run;
        recovered = insert("NodeIncident", nodeA, "recovered", "SUCCEEDED", null, "recovered: 1 database accepts writes",
                "{\"at.suspected\":\"" + at(0) + "\",\"at.recovered\":\"" + at(14_000) + "\","
                        + "\"databases\":\"db1/pg-a\",\"recoveredAt.db1/pg-a\":\"" + at(13_900) + "\","
                        + "\"fenceDriver\":\"redfish\"}", T0.plusMillis(14_000));
        cordon = insert("CordonNode", nodeA, "done", "SUCCEEDED", null, "cordoned node " + nodeA, "{}", T0);
        open = insert("NodeIncident", nodeA, "fencing", "RUNNING", "ForceOff through the BMC", null,
                "{\"at.suspected\":\"" + at(60_000) + "\",\"at.confirmed\":\"" + at(64_500) + "\",\"at.fencing\":\""
                        + at(64_600) + "\",\"fenceDriver\":\"redfish\"}", T0.plusMillis(64_600));
        aborted = insert("NodeIncident", nodeB, "aborted", "SUCCEEDED", null, "the node came back before fencing",
                "{\"at.suspected\":\"" + at(0) + "\",\"at.aborted\":\"" + at(3_000) + "\"}", T0.plusMillis(3_000));
        failed = insert("NodeIncident", nodeB, "failed", "FAILED", null, "fence driver redfish timed out",
                "{\"at.suspected\":\"" + at(5_000) + "\",\"at.failed\":\"" + at(95_000) + "\"}", T0.plusMillis(95_000));
    }

    @Test
    void the_incidents_of_a_node_come_newest_first_and_only_incidents() {
        given().queryParam("node", nodeA).get("/incidents").then().statusCode(200)
                .body("id", contains(open, recovered), "node", contains(nodeA, nodeA),
                        "state", contains("open", "recovered"));
        given().queryParam("node", nodeA).queryParam("limit", 1).get("/incidents").then().statusCode(200)
                .body("id", contains(open));
        given().queryParam("node", nodeA).queryParam("limit", 1).queryParam("before", open).get("/incidents").then()
                .statusCode(200).body("id", contains(recovered));
        given().queryParam("node", nodeA).queryParam("before", recovered).get("/incidents").then().statusCode(200)
                .body("$", hasSize(0));
        given().queryParam("before", "no-such-incident").get("/incidents").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("is not an incident"));
    }

    @Test
    void each_state_selects_its_incidents() {
        given().queryParam("node", nodeA).queryParam("state", "open").get("/incidents").then().body("id", contains(open));
        given().queryParam("node", nodeA).queryParam("state", "recovered").get("/incidents").then()
                .body("id", contains(recovered));
        given().queryParam("node", nodeB).queryParam("state", "aborted").get("/incidents").then()
                .body("id", contains(aborted));
        given().queryParam("node", nodeB).queryParam("state", "failed").get("/incidents").then()
                .body("id", contains(failed));
        given().queryParam("node", nodeB).queryParam("state", "recovered").get("/incidents").then()
                .body("$", hasSize(0));
    }

    @Test
    void one_incident_shows_its_timeline_with_durations() {
        given().get("/incidents/" + recovered).then().statusCode(200)
                .body("node", equalTo(nodeA), "phase", equalTo("recovered"), "state", equalTo("recovered"),
                        "outcome", equalTo("recovered: 1 database accepts writes"), "step", nullValue(),
                        "startedAt", equalTo(T0.toString()), "endedAt", equalTo(at(14_000)),
                        "databases", contains("db1/pg-a"), "recoveredAt.'db1/pg-a'", equalTo(at(13_900)),
                        "fenceDriver", equalTo("redfish"),
                        "timeline.phase", contains("suspected", "recovered"),
                        "timeline.durationMillis", contains(14_000, 0));
        // Open: the last phase runs until now, which is at least ten minutes after T0.
        given().get("/incidents/" + open).then().statusCode(200)
                .body("state", equalTo("open"), "step", equalTo("ForceOff through the BMC"), "endedAt", nullValue(),
                        "timeline.phase", contains("suspected", "confirmed", "fencing"),
                        "timeline[0].durationMillis", equalTo(4_500), "timeline[1].durationMillis", equalTo(100),
                        "timeline[2].durationMillis", greaterThanOrEqualTo((int) Duration.ofMinutes(8).toMillis()));
    }

    @Test
    void unknown_ids_and_bad_queries_get_problem_json() {
        given().get("/incidents/no-such-incident").then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no incident no-such-incident"));
        given().get("/incidents/" + cordon).then().statusCode(404).contentType("application/problem+json");
        given().get("/incidents/" + "x".repeat(301)).then().statusCode(400).contentType("application/problem+json");
        given().queryParam("state", "closed").get("/incidents").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("state must be one of"));
        given().queryParam("limit", 0).get("/incidents").then().statusCode(400).contentType("application/problem+json");
        given().queryParam("limit", "many").get("/incidents").then().statusCode(400).contentType("application/problem+json");
        given().queryParam("limit", 1001).get("/incidents").then().statusCode(400).contentType("application/problem+json");
        given().queryParam("node", "Bad_Node").get("/incidents").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("node must be a DNS-1123"));
    }

    @Test
    void the_routes_are_described_in_openapi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/incidents'.get.parameters.name", org.hamcrest.Matchers.hasItems("node", "state", "limit"))
                .body("paths.'/incidents/{id}'.get.responses.keySet()", org.hamcrest.Matchers.hasItems("200", "404"));
    }

    private static String at(long millis) {
        return T0.plusMillis(millis).toString();
    }

    /**
     * An operation row as the engine writes it. A running one is claimed far ahead by another runner, so this
     * service's driver never runs it.
     */
    private String insert(String kind, String node, String phase, String state, String step, String reason,
                          String data, Instant updatedAt) throws SQLException {
        String id = UUID.randomUUID().toString();
        Timestamp later = Timestamp.from(Instant.now().plus(Duration.ofDays(1)));
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO operation (id, kind, subject, correlation_id, phase, data, state, step, reason,"
                        + " next_attempt_at, owner, claim_expires_at, status_sequence, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, 0, ?, ?)")) {
            boolean running = state.equals("RUNNING");
            s.setString(1, id);
            s.setString(2, kind);
            s.setString(3, node);
            s.setString(4, id);
            s.setString(5, phase);
            s.setString(6, data);
            s.setString(7, state);
            s.setString(8, step);
            s.setString(9, reason);
            s.setTimestamp(10, later);
            s.setString(11, running ? "another-runner" : null);
            s.setTimestamp(12, running ? later : null);
            s.setTimestamp(13, Timestamp.from(T0));
            s.setTimestamp(14, Timestamp.from(updatedAt));
            s.executeUpdate();
        }
        return id;
    }
}
