package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.embedded.Ports;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.NodeEdits;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node incident end to end inside failover-service: real Kafka and PostgreSQL, the sandbox cluster with its
 * Redfish BMCs and real PostgreSQL pods, and a stand-in for node-watcher so each scenario says exactly what the service
 * is told. Issue 8's tests 7 (the node comes back before confirmation), 8 (the fence fails), 9 (the database is busy)
 * and the power-off that recovers, with its timeline.
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = SandboxClusterResource.class, restrictToAnnotatedClass = true)
class NodeIncidentIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String NS = "default";
    static final List<String> PHASES = List.of("suspected", "confirmed", "fencing", "fenced", "releasing",
            "recovering", "recovered");

    private static NodeWatcherStandIn watcher;

    private Sandbox sandbox;
    private KubernetesClient client;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        sandbox = SandboxClusterResource.sandbox();
        client = sandbox.client();
        List<String> nodes = nodes();
        await().atMost(WAIT).until(() -> nodes.stream().allMatch(this::nodeReady));
        if (watcher == null) {
            watcher = new NodeWatcherStandIn(KafkaAndPostgresResource.bootstrapServers(), nodes);
        }
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.ACTIVITY);
    }

    @AfterEach
    void tearDown() {
        tail.close();
    }

    @AfterAll
    static void stopWatcher() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    @Test
    void a_node_that_comes_back_before_confirmation_aborts_its_incident_and_nothing_is_fenced() throws Exception {
        String node = "node001";
        String uid = deployOn(node, "pg-back");
        Instant since = Instant.now();
        try {
            sandbox.faults().partition(node);
            Instant renewed = silentLease(node);
            watcher.suspect(node, renewed);
            // The incident enters "suspected" with the suspicion as its step; its next turn starts the confirmation.
            Map<String, String> suspected = awaitIncident(node, since, i -> !"suspected".equals(i.get("phase"))
                    || String.valueOf(i.get("step")).startsWith("suspected: confirming until"));
            assertThat(suspected.get("phase")).as(suspected.toString()).isEqualTo("suspected");
            assertThat(suspected.get("step")).startsWith("suspected: confirming until");

            // The partition stopped the lease, not the node. Healed well within confirm-after (8 s), the kubelet
            // renews its lease, and that alone must abort: node-watcher's word stays SUSPECT meanwhile.
            sandbox.faults().heal(node);

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("aborted");
            assertThat(ended.get("reason")).startsWith("node " + node + " came back before it was fenced (its lease "
                    + "was renewed at ");
            assertThat(ended).doesNotContainKeys("at.confirmed", "at.fencing");
            assertNothingFenced(node, "pg-back", uid);
            assertThat(tail.awaitFinal(ended.get("id"), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
        } finally {
            sandbox.faults().heal(node);
            restore(node);
            drop("pg-back");
        }
    }

    @Test
    void a_fence_that_fails_ends_the_incident_failed_with_the_driver_s_reason_and_releases_nothing() throws Exception {
        String node = "node002";
        String uid = deployOn(node, "pg-nofence");
        String wrongBmc = sandbox.httpApiUrl() + "/redfish/v1/Systems/node404";
        annotateBmc(node, wrongBmc);
        Instant since = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> ended = awaitIncidentEnd(node, since);
            String reason = "fence of node " + node + " by redfish failed: BMC " + wrongBmc
                    + " answered HTTP 404: no system node404, after 3 attempts; nothing was released";
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("failed");
            assertThat(ended.get("reason")).isEqualTo(reason);
            assertThat(ended).doesNotContainKeys("at.fenced", "at.releasing");
            CommandStatusChanged status = tail.awaitFinal(ended.get("id"), WAIT);
            assertThat(status.state()).isEqualTo(CommandState.FAILED);
            assertThat(status.reason()).isEqualTo(reason);
            ActivityRecorded alert = activity(tail.await(ofType(MessageType.ACTIVITY_RECORDED)
                    .and(correlatedTo(ended.get("id"))).and(r -> "FailoverAlert".equals(activity(r).action())), WAIT));
            assertThat(alert.subject()).isEqualTo(node);
            assertThat(alert.detail()).isEqualTo("incident " + ended.get("id") + " failed: " + reason);
            assertNothingReleased(node, "pg-nofence", uid);
        } finally {
            annotateBmc(node, SandboxClusterResource.bmcAddress(node));
            restore(node);
            drop("pg-nofence");
        }
    }

    @Test
    void a_bmc_that_does_not_answer_ends_the_incident_failed_after_the_bounded_attempts() throws Exception {
        String node = "node002";
        String uid = deployOn(node, "pg-silent-bmc");
        String deadBmc = "http://127.0.0.1:" + Ports.free() + "/redfish/v1/Systems/" + node;
        annotateBmc(node, deadBmc);
        Instant since = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("failed");
            assertThat(ended.get("reason")).startsWith("fence of node " + node + " by redfish not confirmed within "
                    + "PT2S (redfish did not answer: ").endsWith(", after 3 attempts; nothing was released");
            assertThat(ended).doesNotContainKeys("at.fenced", "at.releasing");
            assertNothingReleased(node, "pg-silent-bmc", uid);
        } finally {
            annotateBmc(node, SandboxClusterResource.bmcAddress(node));
            restore(node);
            drop("pg-silent-bmc");
        }
    }

    @Test
    void a_node_without_a_bmc_address_is_not_fenced_and_the_incident_says_why() throws Exception {
        String node = "node003";
        String uid = deployOn(node, "pg-no-bmc");
        annotateBmc(node, null);
        Instant since = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("failed");
            assertThat(ended.get("reason")).isEqualTo("cannot fence node " + node + ": node " + node + " has no "
                    + "annotation pgwarden.io/bmc-address (its BMC's Redfish system URL, e.g. "
                    + "https://10.0.0.21/redfish/v1/Systems/1); nothing was released");
            assertThat(ended).doesNotContainKeys("at.fencing", "fenceDriver");
            assertNothingReleased(node, "pg-no-bmc", uid);
        } finally {
            annotateBmc(node, SandboxClusterResource.bmcAddress(node));
            restore(node);
            drop("pg-no-bmc");
        }
    }

    @Test
    void a_database_busy_with_a_restore_is_failed_over_only_once_the_holder_ends() throws Exception {
        String node = "node003";
        String uid = deployOn(node, "pg-busy");
        Instant acquired = Instant.now();
        client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("pgwarden-op-pg-busy")
                .withNamespace(NS).addToAnnotations("pgwarden.io/operation-kind", "RestoreBackup")
                .addToAnnotations("pgwarden.io/service", "backup-service").endMetadata()
                .withNewSpec().withHolderIdentity("restore-1").withLeaseDurationSeconds(300)
                .withAcquireTime(micro(acquired)).withRenewTime(micro(acquired)).endSpec().build()).create();
        Instant since = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> waiting = awaitIncident(node, since, i -> String.valueOf(i.get("step"))
                    .startsWith("waiting: database") || i.containsKey("at.fencing"));
            assertThat(waiting).as("the incident fenced a database another operation holds").doesNotContainKey(
                    "at.fencing");
            assertThat(waiting.get("phase")).isEqualTo("confirmed");
            assertThat(waiting.get("step")).startsWith("waiting: database default/pg-busy is busy with RestoreBackup "
                    + "restore-1 of backup-service, started ");
            // Time enough for the fence and the release (each well under a second here) had the lock not held it.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
                Map<String, String> now = incident(node, since).orElseThrow();
                return "confirmed".equals(now.get("phase")) && !now.containsKey("at.fencing");
            });
            assertNothingReleased(node, "pg-busy", uid);

            client.leases().inNamespace(NS).withName("pgwarden-op-pg-busy").delete();

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("recovered");
            assertRecoveredElsewhere(node, "pg-busy", uid);
        } finally {
            client.leases().inNamespace(NS).withName("pgwarden-op-pg-busy").delete();
            restore(node);
            drop("pg-busy");
        }
    }

    @Test
    void a_powered_off_node_s_database_is_fenced_released_and_recovered_in_order() throws Exception {
        String node = "node001";
        String uid = deployOn(node, "pg-happy");
        Instant since = Instant.now();
        try {
            Instant off = Instant.now();
            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("recovered");
            assertThat(ended.get("databases")).isEqualTo(NS + "/pg-happy");
            Instant previous = off;
            for (String phase : PHASES) {
                Instant at = Instant.parse(ended.get("at." + phase));
                assertThat(at).as("at." + phase + " in " + ended).isAfterOrEqualTo(previous);
                previous = at;
            }
            assertRecoveredElsewhere(node, "pg-happy", uid);
            CommandStatusChanged status = tail.awaitFinal(ended.get("id"), WAIT);
            assertThat(status.state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(status.reason()).startsWith("recovered default/pg-happy from node " + node + " in ");
            ActivityRecorded recovered = activity(tail.await(ofType(MessageType.ACTIVITY_RECORDED)
                    .and(correlatedTo(ended.get("id"))).and(r -> "IncidentRecovered".equals(activity(r).action())),
                    WAIT));
            assertThat(recovered.subject()).isEqualTo(node);
            assertThat(recovered.changed()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> statefulSetEvents("pg-happy").stream()
                    .anyMatch(e -> "Recovered".equals(e.getReason())));
            Event event = statefulSetEvents("pg-happy").stream().filter(e -> "Recovered".equals(e.getReason()))
                    .findFirst().orElseThrow();
            assertThat(event.getType()).isEqualTo("Normal");
            assertThat(event.getMessage()).startsWith("default/pg-happy accepts writes on node ");
            assertThat(event.getReportingComponent()).isEqualTo(KubernetesEvents.REPORTING_COMPONENT);
            System.out.printf("power-off of %s to recovered: %s%n", node, timeline(ended, off));
        } finally {
            restore(node);
            drop("pg-happy");
        }
    }

    /** Issue 9's test 3, the failover half: a database stopped for a planned outage is no failover's business. */
    @Test
    void a_database_pgwarden_stopped_is_left_alone_by_its_node_s_incident_which_says_so() throws Exception {
        String node = "node003";
        deployOn(node, "pg-stopped");
        Instant since = Instant.now();
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers())) {
            String stop = probe.send("/test/operator", new StopDatabase(NS, "pg-stopped", false, "planned outage"),
                    NS + "/pg-stopped").id();
            assertThat(tail.awaitFinal(stop, WAIT).state()).isEqualTo(CommandState.SUCCEEDED);

            sandbox.faults().powerOff(node);
            watcher.poweredOff(node, silentLease(node));

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("aborted");
            assertThat(ended.get("reason")).isEqualTo("nothing to release: no managed database with failover enabled"
                    + " and one replica has a pod on node " + node + "; left alone: default/pg-stopped (stopped by"
                    + " pgwarden (planned outage))");
            assertThat(ended).doesNotContainKeys("at.confirmed", "at.fencing");
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("pg-stopped").get().getSpec()
                    .getReplicas()).isZero();
        } finally {
            restore(node);
            drop("pg-stopped");
        }
    }

    /**
     * Issue test 6 as far as it goes inside one JVM: what a replica killed after the fence and before the release
     * leaves behind (its incident at phase fenced in the table, its claim lapsing, the database's lock held in the
     * incident's name, the node powered off by its ForceOff) is found by this replica, which finishes it once. The
     * kill -9 of a packaged service is the end-to-end test's.
     */
    @Test
    void an_incident_a_dead_replica_left_at_fenced_is_finished_once_by_this_one() throws Exception {
        String node = "node002";
        String uid = deployOn(node, "pg-crash");
        Instant since = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            Instant renewed = silentLease(node);
            String id = "incident-" + node + "-" + renewed.toEpochMilli();
            Instant t = Instant.now();
            client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata()
                    .withName("pgwarden-op-pg-crash").withNamespace(NS)
                    .addToAnnotations("pgwarden.io/operation-kind", "NodeIncident")
                    .addToAnnotations("pgwarden.io/service", "failover-service").endMetadata()
                    .withNewSpec().withHolderIdentity(id).withLeaseDurationSeconds(30)
                    .withAcquireTime(micro(t.minusMillis(300))).withRenewTime(micro(t.minusMillis(300))).endSpec()
                    .build()).create();
            Map<String, String> left = new LinkedHashMap<>();
            left.put("at.suspected", t.minusMillis(400).toString());
            left.put("at.confirmed", t.minusMillis(350).toString());
            left.put("at.fencing", t.minusMillis(300).toString());
            left.put("at.fenced", t.minusMillis(100).toString());
            left.put("databases", NS + "/pg-crash");
            left.put("pod." + NS + "/pg-crash", "pg-crash-0/" + uid);
            left.put("fenceDriver", "redfish");
            left.put("fenceAttempts", "1");
            left.put("fenceAskedAt", t.minusMillis(300).toString());
            leftByDeadReplica(id, node, renewed, left, t);
            watcher.poweredOff(node, renewed);

            Map<String, String> ended = awaitIncidentEnd(node, since);
            assertThat(ended.get("id")).isEqualTo(id);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("recovered");
            left.keySet().stream().filter(k -> k.startsWith("at.")).forEach(k ->
                    assertThat(ended.get(k)).as(k + ", as the dead replica wrote it").isEqualTo(left.get(k)));
            assertThat(Instant.parse(ended.get("at.releasing"))).isAfter(t);
            assertRecoveredElsewhere(node, "pg-crash", uid);
            assertThat(incidentsSince(node, since)).as("incidents of " + node).isEqualTo(1);

            assertThat(tail.awaitFinal(id, WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
            // Statuses go on from the dead replica's last one, without a gap or a repeat.
            List<Long> sequences = tail.statusesOf(id).stream().map(CommandStatusChanged::sequence).toList();
            assertThat(sequences).first().isEqualTo(3L);
            for (int i = 1; i < sequences.size(); i++) {
                assertThat(sequences.get(i)).as("status sequences " + sequences).isEqualTo(sequences.get(i - 1) + 1);
            }
            List<String> actions = tail.matching(ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(id))).stream()
                    .map(r -> activity(r).action()).toList();
            assertThat(actions).containsExactly("IncidentReleasing", "IncidentRecovering", "IncidentRecovered");
            await().atMost(Duration.ofSeconds(10)).until(() -> statefulSetEvents("pg-crash").stream()
                    .anyMatch(e -> "Recovered".equals(e.getReason())));
            assertThat(statefulSetEvents("pg-crash")).extracting(Event::getReason)
                    .containsExactlyInAnyOrder("Released", "Recovered");
        } finally {
            client.leases().inNamespace(NS).withName("pgwarden-op-pg-crash").delete();
            restore(node);
            drop("pg-crash");
        }
    }

    // ---- what must not have happened ----

    /** The node still powered and untainted, and the database's pod the one it was. */
    private void assertNothingFenced(String node, String db, String uid) {
        assertThat(sandbox.faults().node(node).orElseThrow().isPowered()).as("node " + node + " powered").isTrue();
        assertNothingReleased(node, db, uid);
    }

    private void assertNothingReleased(String node, String db, String uid) {
        assertThat(client.nodes().withName(node).get().getSpec().getTaints()).as("taints of " + node)
                .noneMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey()));
        Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
        assertThat(pod).as("pod " + db + "-0").isNotNull();
        assertThat(pod.getMetadata().getUid()).as("pod " + db + "-0 uid").isEqualTo(uid);
        assertThat(pod.getSpec().getNodeName()).isEqualTo(node);
    }

    private void assertRecoveredElsewhere(String node, String db, String oldUid) {
        Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
        assertThat(pod.getMetadata().getUid()).isNotEqualTo(oldUid);
        assertThat(pod.getSpec().getNodeName()).isNotEqualTo(node);
        assertThat(podReady(db)).isTrue();
        assertThat(client.nodes().withName(node).get().getSpec().getTaints())
                .anyMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey()));
    }

    // ---- the cluster ----

    private List<String> nodes() {
        return sandbox.faults().nodes().stream().map(k -> k.name()).sorted().toList();
    }

    /** Deploys the database while the other nodes are cordoned, so it runs on node; returns its pod's UID. */
    private String deployOn(String node, String db) {
        List<String> others = nodes().stream().filter(n -> !n.equals(node)).toList();
        others.forEach(n -> cordon(n, true));
        try {
            DemoDatabase.deploy(client, NS, db);
            await().atMost(WAIT).until(() -> podReady(db));
        } finally {
            others.forEach(n -> cordon(n, false));
        }
        Pod pod = client.pods().inNamespace(NS).withName(db + "-0").get();
        assertThat(pod.getSpec().getNodeName()).isEqualTo(node);
        return pod.getMetadata().getUid();
    }

    private void drop(String db) {
        client.apps().statefulSets().inNamespace(NS).withName(db).delete();
        client.services().inNamespace(NS).withName(db).delete();
        client.secrets().inNamespace(NS).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName(db + "-0").get() == null);
    }

    /** The node powered, healed, without pgwarden's taint, Ready, and alive in node-watcher's word. */
    private void restore(String node) {
        sandbox.faults().powerOn(node);
        NodeEdits.removeTaint(client, node, Names.TAINT_OUT_OF_SERVICE);
        await().atMost(WAIT).until(() -> nodeReady(node));
        watcher.alive(node);
    }

    private void cordon(String node, boolean unschedulable) {
        NodeEdits.cordon(client, node, unschedulable);
    }

    private void annotateBmc(String node, String url) {
        NodeEdits.annotate(client, node, Names.BMC_ADDRESS_ANNOTATION, url);
    }

    /** The node's last lease renewal, once it is clearly over (2.5 renew intervals of the fast sandbox). */
    private Instant silentLease(String node) {
        await().atMost(WAIT).until(() -> renewTime(node).map(t -> t.isBefore(Instant.now().minusSeconds(1)))
                .orElse(false));
        return renewTime(node).orElseThrow();
    }

    private Optional<Instant> renewTime(String node) {
        Lease lease = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(node).get();
        return Optional.ofNullable(lease).map(l -> l.getSpec().getRenewTime()).map(ZonedDateTime::toInstant);
    }

    private boolean nodeReady(String node) {
        return client.nodes().withName(node).get().getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private boolean podReady(String db) {
        Pod p = client.pods().inNamespace(NS).withName(db + "-0").get();
        return p != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private List<Event> statefulSetEvents(String db) {
        return client.v1().events().inNamespace(NS).withField("involvedObject.kind", "StatefulSet")
                .withField("involvedObject.name", db).list().getItems();
    }

    private static ZonedDateTime micro(Instant at) {
        return ZonedDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    // ---- the incident, as failover-service recorded it ----

    private Map<String, String> awaitIncidentEnd(String node, Instant since) throws Exception {
        return awaitIncident(node, since, i -> !List.of("ACCEPTED", "RUNNING").contains(i.get("state")));
    }

    private Map<String, String> awaitIncident(String node, Instant since,
                                              java.util.function.Predicate<Map<String, String>> until)
            throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> incident(node, since).map(until::test).orElse(false));
        return incident(node, since).orElseThrow();
    }

    /** The node's first incident opened since the instant: its columns and its data (at.*, databases...). */
    private static Optional<Map<String, String>> incident(String node, Instant since) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(KafkaAndPostgresResource.database().jdbcUrl(),
                CatalogDatabase.USER, "");
             PreparedStatement s = c.prepareStatement("SELECT id, state, phase, step, reason, data::text FROM"
                     + " failover.operation WHERE kind = 'NodeIncident' AND subject = ? AND created_at >= ?"
                     + " ORDER BY seq LIMIT 1")) {
            s.setString(1, node);
            s.setTimestamp(2, Timestamp.from(since));
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                Map<String, String> incident = new LinkedHashMap<>();
                Json.MAPPER.readTree(r.getString(6)).fields().forEachRemaining(e -> incident.put(e.getKey(),
                        e.getValue().asText()));
                incident.put("id", r.getString(1));
                incident.put("state", r.getString(2));
                incident.put("phase", r.getString(3));
                incident.put("step", r.getString(4));
                incident.put("reason", r.getString(5));
                return Optional.of(incident);
            }
        }
    }

    /**
     * The row a replica leaves when it dies right after persisting phase fenced: RUNNING, its claim (owner
     * dead-replica) lapsing in two seconds and never extended, statuses ACCEPTED and RUNNING published (sequence 2).
     */
    private static void leftByDeadReplica(String id, String node, Instant renewed, Map<String, String> data,
                                          Instant at) throws SQLException {
        try (Connection c = DriverManager.getConnection(KafkaAndPostgresResource.database().jdbcUrl(),
                CatalogDatabase.USER, "");
             PreparedStatement s = c.prepareStatement("INSERT INTO failover.operation (id, kind, subject,"
                     + " command_type, correlation_id, command, phase, data, state, step, attempt, next_attempt_at,"
                     + " deadline, owner, claim_expires_at, status_sequence, created_at, updated_at) VALUES (?,"
                     + " 'NodeIncident', ?, 'io.pgwarden.NodeIncident', ?, ?, 'fenced', ?::jsonb, 'RUNNING',"
                     + " 'fenced: BMC reports PowerState Off', 0, ?, ?, 'dead-replica', ?, 2, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, node);
            s.setString(3, id);
            s.setBytes(4, Json.write(new io.pgwarden.contracts.command.NodeIncident(node,
                    Instant.parse(data.get("at.suspected")), renewed)));
            s.setString(5, new String(Json.write(data), java.nio.charset.StandardCharsets.UTF_8));
            s.setTimestamp(6, Timestamp.from(at));
            s.setTimestamp(7, Timestamp.from(at.plus(Duration.ofHours(1))));
            s.setTimestamp(8, Timestamp.from(at.plusSeconds(2)));
            s.setTimestamp(9, Timestamp.from(Instant.parse(data.get("at.suspected"))));
            s.setTimestamp(10, Timestamp.from(at));
            s.executeUpdate();
        }
    }

    private static int incidentsSince(String node, Instant since) throws SQLException {
        try (Connection c = DriverManager.getConnection(KafkaAndPostgresResource.database().jdbcUrl(),
                CatalogDatabase.USER, "");
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM failover.operation WHERE"
                     + " kind = 'NodeIncident' AND subject = ? AND created_at >= ?")) {
            s.setString(1, node);
            s.setTimestamp(2, Timestamp.from(since));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static String timeline(Map<String, String> incident, Instant from) {
        StringBuilder s = new StringBuilder();
        for (String phase : PHASES) {
            String at = incident.get("at." + phase);
            if (at != null) {
                s.append(s.isEmpty() ? "" : ", ").append(phase).append(" +")
                        .append(Duration.between(from, Instant.parse(at)).toMillis()).append(" ms");
            }
        }
        return s.toString();
    }

    private static ActivityRecorded activity(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), ActivityRecorded.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
