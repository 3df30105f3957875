package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.testing.NodeEdits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node under managed databases dies, and pgwarden brings them back elsewhere with a confirmed fence first: the
 * packaged services on the sandbox (fast timings), real Kafka, real PostgreSQL, the sandbox's Redfish BMCs.
 */
@ExtendWith(SystemExtension.class)
class NodeFailoverE2E {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static final String NS_DEFAULT = "default";
    private static final String NS = NS_DEFAULT;

    @Test
    void power_off_under_load_brings_both_databases_back_elsewhere_without_losing_an_acknowledged_row(
            RunningSystem system) throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        KubernetesClient client = sandbox.client();
        String node = deployOnOneNode(system, "pg-power-a", "pg-power-b");
        Instant poweredOff;
        List<Long> lost;
        try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> jdbcUrl(sandbox, "pg-power-a"))) {
            await().atMost(WAIT).until(() -> writer.count() >= 20);
            poweredOff = Instant.now();
            sandbox.faults().powerOff(node);

            Map<String, String> incident = awaitIncidentEnd(system, node, poweredOff);
            assertThat(incident.get("phase")).as(incident.toString()).isEqualTo("recovered");
            for (String db : List.of("pg-power-a", "pg-power-b")) {
                Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
                assertThat(pod.getSpec().getNodeName()).isNotEqualTo(node);
                assertThat(incident.get("databases")).contains(NS + "/" + db);
            }
            await().atMost(WAIT).until(() -> writer.count() >= 40);
            lost = writer.stopAndFindLost();
            System.out.printf("power-off failover of %s: %d acknowledged rows, %d client errors; %s%n", node,
                    writer.count(), writer.failures(), IncidentRecords.phases(incident, poweredOff));
        } finally {
            unfence(system, node);
        }
        assertThat(lost).as("acknowledged rows missing after the failover").isEmpty();
        assertNoSplitBrain(sandbox);
    }

    @Test
    void a_partitioned_primary_is_fenced_before_its_database_is_released(RunningSystem system) throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        String node = deployOnOneNode(system, "pg-partition");
        List<Long> lost;
        Instant partitioned;
        Map<String, String> incident;
        try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> jdbcUrl(sandbox, "pg-partition"))) {
            await().atMost(WAIT).until(() -> writer.count() >= 20);
            partitioned = Instant.now();
            sandbox.faults().partition(node);

            incident = awaitIncidentEnd(system, node, partitioned);
            assertThat(incident.get("phase")).as(incident.toString()).isEqualTo("recovered");
            await().atMost(WAIT).until(() -> writer.count() >= 40);
            lost = writer.stopAndFindLost();
            System.out.printf("partition failover of %s: %s%n", node, IncidentRecords.phases(incident, partitioned));
        } finally {
            sandbox.faults().heal(node);
            unfence(system, node);
        }
        // The release begins in the turn whose observation saw the fence confirmed: never before it.
        assertThat(Instant.parse(incident.get("at.fenced"))).isBeforeOrEqualTo(Instant.parse(incident.get("at.releasing")));
        InvariantRecorder.Writer zombie = sandbox.invariants().writers().stream()
                .filter(w -> w.pod().endsWith("pg-partition-0") && w.node().equals(node)).findFirst().orElseThrow();
        assertThat(zombie.end()).as("the zombie on the partitioned node stopped writing").isPresent();
        InvariantRecorder.Writer successor = sandbox.invariants().writers().stream()
                .filter(w -> w.pod().endsWith("pg-partition-0") && !w.node().equals(node)).findFirst().orElseThrow();
        assertThat(zombie.end().get()).isBeforeOrEqualTo(successor.start());
        assertThat(lost).isEmpty();
        assertNoSplitBrain(sandbox);
    }

    @Test
    void with_two_of_three_nodes_down_nothing_is_fenced_and_the_incident_says_why(RunningSystem system)
            throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        KubernetesClient client = sandbox.client();
        String node = deployOnOneNode(system, "pg-storm");
        String other = sandbox.faults().nodes().stream().map(k -> k.name()).filter(n -> !n.equals(node)).findFirst()
                .orElseThrow();
        String uid = client.pods().inNamespace(NS).withName("pg-storm-0").get().getMetadata().getUid();
        Instant off = Instant.now();
        sandbox.faults().powerOff(node);
        sandbox.faults().powerOff(other);
        try {
            // ends early on a fence too, so a guard that failed says so below rather than as a timeout
            await().atMost(WAIT).until(() -> incident(system, node, off).map(i -> i.containsKey("at.fencing")
                    || String.valueOf(i.get("step")).contains("unhealthy at once")).orElse(false));
            // Long enough for a fence and a release to have happened without the guard (a few scaled seconds).
            Thread.sleep(3_000);
            Map<String, String> incident = incident(system, node, off).orElseThrow();
            assertThat(incident.get("phase")).isEqualTo("confirmed");
            assertThat(incident.get("step")).contains("storm guard", "2 of 3 nodes are unhealthy at once");
            assertThat(incident).doesNotContainKey("at.fencing");
            assertThat(client.nodes().withName(node).get().getSpec().getTaints())
                    .noneMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey()));
            assertThat(client.pods().inNamespace(NS).withName("pg-storm-0").get().getMetadata().getUid())
                    .isEqualTo(uid);
        } finally {
            sandbox.faults().powerOn(node);
            sandbox.faults().powerOn(other);
        }
        Map<String, String> ended = awaitIncidentEnd(system, node, off);
        assertThat(ended.get("phase")).isEqualTo("aborted");
        await().atMost(WAIT).until(() -> podReady(client, "pg-storm-0"));
    }

    // ---- the databases ----

    /** Deploys the databases while the other nodes are cordoned, so they all run on one node; returns it. */
    static String deployOnOneNode(RunningSystem system, String... names) {
        KubernetesClient client = system.stack().sandbox().client();
        List<String> nodes = system.stack().sandbox().faults().nodes().stream().map(k -> k.name()).sorted().toList();
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> Ready(client, n)));
        String target = nodes.get(0);
        List<String> others = nodes.subList(1, nodes.size());
        others.forEach(n -> NodeEdits.cordon(client, n, true));
        try {
            for (String name : names) {
                DemoDatabase.deploy(client, NS, name);
            }
            for (String name : names) {
                await().atMost(WAIT).until(() -> podReady(client, name + "-0"));
            }
        } finally {
            others.forEach(n -> NodeEdits.cordon(client, n, false));
        }
        return target;
    }

    static boolean Ready(KubernetesClient client, String node) {
        return client.nodes().withName(node).get().getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean podReady(KubernetesClient client, String pod) {
        Pod p = client.pods().inNamespace(NS).withName(pod).get();
        return p != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static String jdbcUrl(Sandbox sandbox, String name) {
        return "jdbc:postgresql://127.0.0.1:" + sandbox.servicePort(NS, name).orElseThrow() + "/postgres";
    }

    static void assertNoSplitBrain(Sandbox sandbox) {
        assertThat(sandbox.invariants().writers()).as("the recorder saw the databases' writers").isNotEmpty();
        assertThat(sandbox.invariants().splitBrains()).as("two writers of one volume at once").isEmpty();
    }

    /** Lifts pgwarden's fence and powers the node on, so the next scenario has every node. */
    static void unfence(RunningSystem system, String node) {
        var answer = system.post("/api/v1/nodes/" + node + "/unfence", "{\"powerOn\":true,\"reason\":\"e2e cleanup\"}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        JsonNode done = CordonThroughTheGatewayE2E.finished(system, answer);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        KubernetesClient client = system.stack().sandbox().client();
        await().atMost(WAIT).until(() -> Ready(client, node));
    }

    // ---- the incident, as failover-service recorded it ----

    static Map<String, String> awaitIncidentEnd(RunningSystem system, String node, Instant since) throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> incident(system, node, since)
                .map(IncidentRecords::ended).orElse(false));
        return incident(system, node, since).orElseThrow();
    }

    /** The node's first incident opened since the instant: its columns and its data (at.*, databases...). */
    static Optional<Map<String, String>> incident(RunningSystem system, String node, Instant since) throws Exception {
        return IncidentRecords.first(system.stack().catalogJdbcUrl(), node, since);
    }
}
