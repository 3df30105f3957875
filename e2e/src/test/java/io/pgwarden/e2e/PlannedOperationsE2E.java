package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.NodeEdits;
import io.pgwarden.testing.TopicTail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9's planned operations as a user asks for them, through the gateway's REST API on the packaged system: a move
 * under a writing client and the failback home, an administrator's cordon that pgwarden leaves alone, and a planned
 * outage during which the database's node is powered off. The refusals, dry runs, timeouts and disruption budgets are
 * {@link PlannedOperationsSafetyE2E}'s.
 */
@ExtendWith(SystemExtension.class)
class PlannedOperationsE2E {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String NS = NodeFailoverE2E.NS_DEFAULT;
    private static final Pattern WRITES_ACCEPTED = Pattern.compile("writes accepted (\\d+) ms after the request");

    private RunningSystem system;
    private KubernetesClient client;

    @BeforeEach
    void everyNodeReadyAndSchedulable(RunningSystem system) {
        this.system = system;
        this.client = system.stack().sandbox().client();
        awaitEveryNodeReady(system);
    }

    @AfterEach
    void uncordonEveryNode() {
        nodes(system).forEach(n -> cordon(client, n, false));
    }

    @Test
    void a_move_under_writes_keeps_every_row_lands_on_its_target_and_failback_brings_it_home(RunningSystem system)
            throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        String db = "pg-planned-move";
        deployOn(system, "node001", db);
        // An administrator's cordon (kubectl cordon: no pgwarden annotation), which no cleanup of pgwarden may lift.
        cordon(client, "node002", true);
        try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> NodeFailoverE2E.jdbcUrl(sandbox, db));
             TopicTail statuses = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.COMMAND_STATUS)) {
            await().atMost(WAIT).until(() -> writer.count() >= 20);

            Instant requested = Instant.now();
            HttpResponse<String> submitted = system.post(path(db, "failover"),
                    "{\"targetNode\":\"node003\",\"reason\":\"kernel upgrade of node001\"}");
            JsonNode moved = CordonThroughTheGatewayE2E.finished(system, submitted);
            assertThat(moved.get("state").asText()).as(moved.toString()).isEqualTo("SUCCEEDED");
            assertThat(moved.get("reason").asText()).matches("moved default/" + db + " from node node001 to node"
                    + " node003; writes accepted \\d+ ms after the request; node node001 stays cordoned by pgwarden"
                    + " until failback");
            long reported = writesAcceptedMillis(moved);
            assertThat(pod(client, db).getSpec().getNodeName()).isEqualTo("node003");
            assertThat(node(client, "node001").getMetadata().getAnnotations())
                    .containsEntry(Names.CORDONED_FOR_ANNOTATION, NS + "/" + db);
            assertThat(node(client, "node002").getSpec().getUnschedulable()).as("the administrator's cordon").isTrue();

            statuses.awaitFinal(id(submitted), WAIT); // reads the topic up to the final status
            List<CommandStatusChanged> steps = statuses.statusesOf(id(submitted));
            assertThat(steps).extracting(CommandStatusChanged::sequence).as("each status once, in order")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, steps.size()).boxed().toList());
            // node002 is cordoned already: the target rule cordons no other node, only the one the move leaves.
            assertThat(steps).extracting(PlannedOperationsE2E::stateAndStep).startsWith("ACCEPTED",
                    "RUNNING cordoning node node001", "RUNNING evicting pod " + db + "-0 from node node001")
                    .last().isEqualTo("SUCCEEDED");
            assertThat(steps).extracting(CommandStatusChanged::step).filteredOn(s -> s != null && s.startsWith("waiting"))
                    .isNotEmpty().allMatch(s -> s.matches("waiting for .*, \\d+ s"));

            int after = writer.count();
            await().atMost(WAIT).until(() -> writer.count() >= after + 20);
            Optional<Instant> resumed = writer.writesResumedAfter(requested, Duration.ofMillis(500));
            System.out.printf("move of %s to node003: writes accepted %d ms after the request (pgwarden), the"
                            + " client's first commit after its gap %s; steps %s%n", db, reported,
                    resumed.map(r -> Duration.between(requested, r).toMillis() + " ms after the request")
                            .orElse("none (no gap over 500 ms)"),
                    steps.stream().map(PlannedOperationsE2E::stateAndStep).toList());

            Map<String, String> beforeDryRun = PlannedOperationsSafetyE2E.cluster(system, db);
            JsonNode plan = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "failback")
                    + "?dryRun=true", "{\"moveBack\":true}"));
            assertThat(plan.get("state").asText()).as(plan.toString()).isEqualTo("SUCCEEDED");
            assertThat(plan.get("reason").asText()).startsWith("dry run, nothing changed:").contains("node001");
            assertThat(PlannedOperationsSafetyE2E.cluster(system, db)).isEqualTo(beforeDryRun);

            JsonNode back = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "failback"),
                    "{\"moveBack\":true,\"reason\":\"node001 upgraded\"}"));
            assertThat(back.get("state").asText()).as(back.toString()).isEqualTo("SUCCEEDED");
            assertThat(back.get("reason").asText()).startsWith("failed back default/" + db + ": uncordoned node"
                    + " node001; moved default/" + db + " from node node003 to node node001");
            assertThat(pod(client, db).getSpec().getNodeName()).isEqualTo("node001");
            for (String n : List.of("node001", "node003")) {
                assertThat(node(client, n).getSpec().getUnschedulable()).as(n + " cordoned").isNotEqualTo(true);
                assertThat(node(client, n).getMetadata().getAnnotations())
                        .doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            }
            assertThat(node(client, "node002").getSpec().getUnschedulable()).as("the administrator's cordon").isTrue();
            assertThat(statefulSet(client, db).getMetadata().getAnnotations())
                    .doesNotContainKey(Names.MOVED_FROM_ANNOTATION);

            int home = writer.count();
            await().atMost(WAIT).until(() -> writer.count() >= home + 20);
            assertThat(writer.stopAndFindLost()).as("acknowledged rows missing after the move and back").isEmpty();
            NodeFailoverE2E.assertNoSplitBrain(sandbox);
            assertThat(sandbox.invariants().writers()).as("the database ran on node003, then on node001 again")
                    .filteredOn(w -> w.pod().endsWith(db + "-0")).extracting(w -> w.node())
                    .containsSubsequence("node001", "node003", "node001");
        } finally {
            drop(system, db);
        }
    }

    @Test
    void failback_leaves_a_node_the_administrator_cordoned_cordoned(RunningSystem system) throws Exception {
        String db = "pg-planned-admin";
        deployOn(system, "node002", db);
        try {
            cordon(client, "node002", true); // kubectl cordon, before the move: not pgwarden's to lift
            JsonNode moved = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "failover"), "{}"));
            assertThat(moved.get("state").asText()).as(moved.toString()).isEqualTo("SUCCEEDED");
            assertThat(pod(client, db).getSpec().getNodeName()).isNotEqualTo("node002");
            assertThat(node(client, "node002").getMetadata().getAnnotations())
                    .doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);

            JsonNode back = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "failback"), "{}"));
            assertThat(back.get("state").asText()).as(back.toString()).isEqualTo("SUCCEEDED");
            assertThat(node(client, "node002").getSpec().getUnschedulable()).as("the administrator's cordon").isTrue();
            assertThat(back.get("reason").asText()).isEqualTo("failed back default/" + db + ": node node002 is"
                    + " cordoned, not by pgwarden for default/" + db + ": left cordoned; cleared pgwarden.io/moved-from");
            assertThat(statefulSet(client, db).getMetadata().getAnnotations())
                    .doesNotContainKey(Names.MOVED_FROM_ANNOTATION);
        } finally {
            drop(system, db);
        }
    }

    @Test
    void stop_and_start_keep_every_row_and_a_power_off_during_the_stop_starts_no_failover(RunningSystem system)
            throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        String db = "pg-planned-stop";
        String node = "node003";
        deployOn(system, node, db);
        String volume = client.persistentVolumeClaims().inNamespace(NS).withName("data-" + db + "-0").get().getSpec()
                .getVolumeName();
        Instant poweredOff = null;
        try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> NodeFailoverE2E.jdbcUrl(sandbox, db))) {
            await().atMost(WAIT).until(() -> writer.count() >= 20);
            JsonNode stopped = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "stop"),
                    "{\"reason\":\"storage maintenance\"}"));
            assertThat(stopped.get("state").asText()).as(stopped.toString()).isEqualTo("SUCCEEDED");
            assertThat(stopped.get("reason").asText()).matches("stopped default/" + db + " in \\d+ ms: pod gone,"
                    + " volumes detached; start brings back 1 replica");
            assertThat(statefulSet(client, db).getSpec().getReplicas()).isZero();
            assertThat(pod(client, db)).isNull();
            assertThat(client.storage().v1().volumeAttachments().list().getItems())
                    .noneMatch(va -> volume.equals(va.getSpec().getSource().getPersistentVolumeName()));
            // The gateway answers from its copy, refreshed every 500 ms.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode view = Json.MAPPER.readTree(system.get("/api/v1/clusters/" + NS + "/" + db).body());
                assertThat(view.get("phase").asText()).as(view.toString()).isEqualTo("stopped");
            });
            int acknowledged = writer.count();

            poweredOff = Instant.now();
            sandbox.faults().powerOff(node);
            Map<String, String> incident = NodeFailoverE2E.awaitIncidentEnd(system, node, poweredOff);
            assertThat(incident.get("phase")).as(incident.toString()).isEqualTo("aborted");
            assertThat(incident.get("reason")).contains("left alone: default/" + db + " (stopped by pgwarden (planned"
                    + " outage))");
            assertThat(incident).doesNotContainKeys("at.confirmed", "at.fencing");
            assertThat(statefulSet(client, db).getSpec().getReplicas()).as("still stopped").isZero();
            assertThat(pod(client, db)).isNull();
            // The node is NotReady and tainted unreachable before the start, so the scheduler cannot pick it.
            await().atMost(WAIT).until(() -> !NodeFailoverE2E.Ready(client, node));

            Map<String, String> beforeDryRun = PlannedOperationsSafetyE2E.cluster(system, db);
            JsonNode plan = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "start")
                    + "?dryRun=true", "{}"));
            assertThat(plan.get("state").asText()).as(plan.toString()).isEqualTo("SUCCEEDED");
            assertThat(plan.get("reason").asText()).startsWith("dry run, nothing changed: start default/" + db);
            assertThat(PlannedOperationsSafetyE2E.cluster(system, db)).isEqualTo(beforeDryRun);

            JsonNode started = CordonThroughTheGatewayE2E.finished(system, system.post(path(db, "start"), "{}"));
            assertThat(started.get("state").asText()).as(started.toString()).isEqualTo("SUCCEEDED");
            assertThat(started.get("reason").asText()).matches("started default/" + db + " on node node00[12];"
                    + " writes accepted \\d+ ms after the request");
            assertThat(pod(client, db).getSpec().getNodeName()).isNotEqualTo(node);
            assertThat(statefulSet(client, db).getMetadata().getAnnotations())
                    .doesNotContainKeys(Names.STOPPED_REPLICAS_ANNOTATION, Names.STOPPED_ON_ANNOTATION);
            await().atMost(WAIT).until(() -> writer.count() >= acknowledged + 20);
            assertThat(writer.stopAndFindLost()).as("acknowledged rows missing after the stop and start").isEmpty();
            NodeFailoverE2E.assertNoSplitBrain(sandbox);
        } finally {
            if (poweredOff != null) {
                sandbox.faults().powerOn(node);
            }
            drop(system, db);
        }
    }

    // ---- requests and answers ----

    static String path(String db, String operation) {
        return "/api/v1/clusters/" + NS + "/" + db + "/" + operation;
    }

    static String id(HttpResponse<String> submitted) throws Exception {
        return Json.MAPPER.readTree(submitted.body()).get("id").asText();
    }

    static long writesAcceptedMillis(JsonNode command) {
        Matcher m = WRITES_ACCEPTED.matcher(command.get("reason").asText());
        assertThat(m.find()).as(command.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String stateAndStep(CommandStatusChanged status) {
        return status.state() + (status.step() == null ? "" : " " + status.step());
    }

    // ---- the cluster ----

    static List<String> nodes(RunningSystem system) {
        return system.stack().sandbox().faults().nodes().stream().map(k -> k.name()).sorted().toList();
    }

    static void awaitEveryNodeReady(RunningSystem system) {
        KubernetesClient client = system.stack().sandbox().client();
        await().atMost(WAIT).until(() -> nodes(system).stream().allMatch(n -> NodeFailoverE2E.Ready(client, n)));
    }

    static Node node(KubernetesClient client, String name) {
        return client.nodes().withName(name).get();
    }

    static Pod pod(KubernetesClient client, String db) {
        return client.pods().inNamespace(NS).withName(db + "-0").get();
    }

    static StatefulSet statefulSet(KubernetesClient client, String db) {
        return client.apps().statefulSets().inNamespace(NS).withName(db).get();
    }

    static void cordon(KubernetesClient client, String node, boolean unschedulable) {
        NodeEdits.cordon(client, node, unschedulable);
    }

    /** Deploys the managed database while the other nodes are cordoned, so it runs on {@code node}. */
    static void deployOn(RunningSystem system, String node, String db) {
        KubernetesClient client = system.stack().sandbox().client();
        List<String> others = nodes(system).stream().filter(n -> !n.equals(node)).toList();
        others.forEach(n -> cordon(client, n, true));
        try {
            DemoDatabase.deploy(client, NS, db);
            await().atMost(WAIT).until(() -> NodeFailoverE2E.podReady(client, db + "-0"));
        } finally {
            others.forEach(n -> cordon(client, n, false));
        }
        assertThat(pod(client, db).getSpec().getNodeName()).isEqualTo(node);
    }

    static void drop(RunningSystem system, String db) {
        KubernetesClient client = system.stack().sandbox().client();
        client.apps().statefulSets().inNamespace(NS).withName(db).delete();
        client.services().inNamespace(NS).withName(db).delete();
        client.secrets().inNamespace(NS).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> pod(client, db) == null);
    }

    /** Sorted, so two snapshots compare as text. */
    static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : new TreeMap<>(map);
    }
}
