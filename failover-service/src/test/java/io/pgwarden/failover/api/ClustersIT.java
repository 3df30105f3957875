package io.pgwarden.failover.api;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import io.pgwarden.failover.incident.SandboxClusterResource;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

/**
 * GET /clusters on the sandbox cluster, through failover-service's informers: a real managed database through its
 * phases (running, held by a move, stopped), its last incident from the catalog, and observedAt while the API server
 * is cut off.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = SandboxClusterResource.class, restrictToAnnotatedClass = true)
class ClustersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "default";

    @Inject
    DataSource dataSource;

    private Sandbox sandbox;
    private KubernetesClient client;
    private String run;

    @BeforeEach
    void setUp() {
        sandbox = SandboxClusterResource.sandbox();
        client = sandbox.client();
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void a_managed_database_shows_where_it_runs_what_holds_it_its_last_incident_and_when_it_is_stopped()
            throws Exception {
        String db = "pg-view-" + run;
        String unmanaged = "plain-" + run;
        DemoDatabase.deploy(client, NS, db);
        client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder().withNewMetadata()
                .withName(unmanaged).withNamespace(NS).endMetadata().withNewSpec().withReplicas(0)
                .withNewSelector().addToMatchLabels("app", unmanaged).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", unmanaged).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
        try {
            JsonPath running = await().atMost(WAIT).until(() -> cluster(db), v -> "running".equals(v.getString("phase")));
            Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
            assertThat(running.getString("pod")).isEqualTo(db + "-0");
            assertThat(running.getString("node")).isEqualTo(pod.getSpec().getNodeName()).isNotNull();
            assertThat(running.getBoolean("ready")).isTrue();
            assertThat(running.getInt("replicas")).isEqualTo(1);
            assertThat(running.getString("operation")).isNull();
            assertThat(running.getString("lastIncident")).isNull();
            assertThat(Instant.parse(running.getString("observedAt"))).isCloseTo(Instant.now(), within(5));
            given().get("/clusters").then().statusCode(200)
                    .body("clusters.name", hasItem(db), "clusters.name", not(hasItem(unmanaged)));

            Instant acquired = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("pgwarden-op-" + db)
                    .withNamespace(NS).addToAnnotations("pgwarden.io/operation-kind", "MoveDatabase")
                    .addToAnnotations("pgwarden.io/service", "failover-service").endMetadata()
                    .withNewSpec().withHolderIdentity("move-" + run).withLeaseDurationSeconds(300)
                    .withAcquireTime(acquired.atZone(ZoneOffset.UTC)).withRenewTime(acquired.atZone(ZoneOffset.UTC))
                    .endSpec().build()).create();
            JsonPath moving = await().atMost(WAIT).until(() -> cluster(db), v -> "moving".equals(v.getString("phase")));
            assertThat(moving.getMap("operation")).containsEntry("kind", "MoveDatabase")
                    .containsEntry("id", "move-" + run).containsEntry("service", "failover-service")
                    .containsEntry("since", acquired.toString());

            insertIncident("node00w-" + run, NS + "/" + db);
            String newest = insertIncident("node00x-" + run, NS + "/other-" + run + "," + NS + "/" + db);
            insertIncident("node00y-" + run, NS + "/other-" + run);
            given().get("/clusters/" + NS + "/" + db).then().statusCode(200)
                    .body("lastIncident.id", equalTo(newest), "lastIncident.state", equalTo("recovered"),
                            "lastIncident.node", equalTo("node00x-" + run));

            client.leases().inNamespace(NS).withName("pgwarden-op-" + db).edit(l -> {
                l.getSpec().setHolderIdentity(null);
                return l;
            });
            client.apps().statefulSets().inNamespace(NS).withName(db).edit(s -> {
                s.getMetadata().getAnnotations().put(Names.STOPPED_REPLICAS_ANNOTATION, "1");
                s.getSpec().setReplicas(0);
                return s;
            });
            JsonPath stopped = await().atMost(WAIT).until(() -> cluster(db),
                    v -> "stopped".equals(v.getString("phase")) && v.getString("pod") == null);
            assertThat(stopped.getInt("stoppedReplicas")).isEqualTo(1);
            assertThat(stopped.getString("operation")).isNull();
            assertThat(stopped.getString("detail")).startsWith("stopped by pgwarden (planned outage)");
        } finally {
            client.apps().statefulSets().inNamespace(NS).withName(unmanaged).delete();
            client.leases().inNamespace(NS).withName("pgwarden-op-" + db).delete();
            drop(db);
        }
    }

    @Test
    void an_unknown_database_is_a_404_and_a_bad_name_a_400_as_problem_json() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/clusters").then().statusCode(200));
        given().get("/clusters/" + NS + "/no-such-" + run).then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("no managed database " + NS + "/no-such-" + run + ": no StatefulSet no-such-"
                        + run + " labelled pgwarden.io/managed=true in namespace " + NS));
        given().get("/clusters/" + NS + "/Bad_Name").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("cluster must be a DNS-1123 label"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/clusters'.get.responses.keySet()", hasItems("200", "503"))
                .body("paths.'/clusters/{namespace}/{cluster}'.get.responses.keySet()", hasItems("200", "400", "404"));
    }

    @Test
    void while_the_api_server_is_cut_off_observed_at_stays_at_the_last_moment_the_watches_were_open() {
        await().atMost(WAIT).until(() -> given().get("/clusters").then().extract().statusCode() == 200);
        Instant cut = Instant.now();
        sandbox.faults().apiOutage(Duration.ofSeconds(20));
        try {
            // The watches drop at once: the view falls behind the clock, and stays at about the cut.
            Instant stale = await().atMost(WAIT).until(ClustersIT::observedAt,
                    observed -> observed.isBefore(Instant.now().minusSeconds(2)));
            assertThat(stale).isBefore(cut.plusSeconds(2));
        } finally {
            sandbox.faults().endApiOutage();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(observedAt()).isCloseTo(Instant.now(), within(3)));
    }

    private static Instant observedAt() {
        return Instant.parse(given().get("/clusters").then().statusCode(200).extract().path("observedAt"));
    }

    private JsonPath cluster(String db) {
        return given().get("/clusters/" + NS + "/" + db).then().extract().jsonPath();
    }

    private static org.assertj.core.data.TemporalUnitOffset within(long seconds) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(seconds, ChronoUnit.SECONDS);
    }

    private void drop(String db) {
        client.apps().statefulSets().inNamespace(NS).withName(db).delete();
        client.services().inNamespace(NS).withName(db).delete();
        client.secrets().inNamespace(NS).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName(db + "-0").get() == null);
    }

    /**
     * A recovered incident as the engine stores it, listing databases as decide/IncidentDecider writes them; each
     * later than the one inserted before (seq).
     */
    private String insertIncident(String node, String databases) throws Exception {
        String id = "incident-" + node + "-1";
        Timestamp t = Timestamp.from(Instant.now().minusSeconds(30));
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO operation (id, kind, subject, correlation_id, phase, data, state, next_attempt_at,"
                        + " status_sequence, created_at, updated_at)"
                        + " VALUES (?, 'NodeIncident', ?, ?, 'recovered', ?::jsonb, 'SUCCEEDED', ?, 0, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, node);
            s.setString(3, id);
            s.setString(4, Json.MAPPER.writeValueAsString(Map.of("databases", databases)));
            s.setTimestamp(5, t);
            s.setTimestamp(6, t);
            s.setTimestamp(7, t);
            s.executeUpdate();
        }
        return id;
    }
}
