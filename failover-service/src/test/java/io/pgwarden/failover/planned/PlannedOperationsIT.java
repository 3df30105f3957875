package io.pgwarden.failover.planned;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.NodeEdits;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import static io.pgwarden.testing.TopicProbe.correlatedTo;
import static io.pgwarden.testing.TopicProbe.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Move, failback, stop and start inside failover-service, commands from Kafka, on the sandbox cluster with real
 * PostgreSQL pods, real Kafka and the real catalog: issue 9's tests 1 to 6 as far as one service goes (the gateway's
 * REST routes, the client writing during a move and the power-off during a stop are the end-to-end tests').
 */
@QuarkusTest
@QuarkusTestResource(KafkaAndPostgresResource.class)
@QuarkusTestResource(value = PlannedSandboxResource.class, restrictToAnnotatedClass = true)
class PlannedOperationsIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String NS = "default";
    static final String SOURCE = "/test/operator";

    private Sandbox sandbox;
    private KubernetesClient client;
    private TopicProbe probe;
    private TopicTail tail;

    @BeforeEach
    void setUp() {
        sandbox = PlannedSandboxResource.sandbox();
        client = sandbox.client();
        await().atMost(WAIT).until(() -> nodes().stream().allMatch(this::nodeReady));
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMAND_STATUS, Topics.ACTIVITY);
    }

    @AfterEach
    void tearDown() {
        probe.close();
        tail.close();
        nodes().forEach(n -> cordon(n, false));
    }

    @Test
    void a_move_to_a_target_lands_there_keeps_every_row_and_reports_each_step_then_failback_brings_it_home() throws Exception {
        String db = "pg-move";
        deployOn("node001", db);
        try {
            insertRow(db, "before the move");

            MessageMetadata move = send(new MoveDatabase(NS, db, "node003", false, false, "kernel upgrade"), db);
            CommandStatusChanged done = tail.awaitFinal(move.id(), WAIT);
            assertThat(done.state()).as(done.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).matches("moved default/pg-move from node node001 to node node003; writes accepted"
                    + " \\d+ ms after the request; node node001 stays cordoned by pgwarden until failback");
            Pod pod = pod(db);
            assertThat(pod.getSpec().getNodeName()).isEqualTo("node003");
            assertThat(podReady(db)).isTrue();
            assertThat(rows(db)).containsExactly("before the move");
            assertThat(node("node001").getSpec().getUnschedulable()).isTrue();
            assertThat(node("node001").getMetadata().getAnnotations()).containsEntry(Names.CORDONED_FOR_ANNOTATION,
                    NS + "/" + db);
            assertThat(node("node002").getSpec().getUnschedulable()).as("the target rule's cordon lifted").isNotEqualTo(true);
            assertThat(node("node002").getMetadata().getAnnotations()).doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            assertThat(statefulSet(db).getMetadata().getAnnotations()).containsEntry(Names.MOVED_FROM_ANNOTATION,
                    "node001");

            List<CommandStatusChanged> statuses = tail.statusesOf(move.id());
            assertInSequence(statuses);
            assertThat(statuses).extracting(s -> s.state() + (s.step() == null ? "" : " " + s.step()))
                    .startsWith("ACCEPTED", "RUNNING cordoning nodes node001, node002",
                            "RUNNING evicting pod pg-move-0 from node node001")
                    .last().isEqualTo("SUCCEEDED");
            assertThat(statuses).extracting(CommandStatusChanged::step).filteredOn(s -> s != null && s.startsWith("waiting"))
                    .isNotEmpty().allMatch(s -> s.matches("waiting for .*, \\d+ s"));
            assertThat(activities(move.id())).extracting(ActivityRecorded::action)
                    .containsExactly("DatabaseLocked", "MoveCordoning", "MoveEvicting", "MoveRescheduling",
                            "DatabaseMoved");
            await().atMost(Duration.ofSeconds(10)).until(() -> events(db).stream()
                    .anyMatch(e -> "Moved".equals(e.getReason())));
            assertThat(events(db)).extracting(Event::getReason).contains("Moving", "Evicting", "Moved");

            MessageMetadata failback = send(new FailbackDatabase(NS, db, true, false, null), db);
            CommandStatusChanged back = tail.awaitFinal(failback.id(), WAIT);
            assertThat(back.state()).as(back.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(back.reason()).matches("failed back default/pg-move: uncordoned node node001; moved"
                    + " default/pg-move from node node003 to node node001; writes accepted \\d+ ms after the request");
            assertThat(pod(db).getSpec().getNodeName()).isEqualTo("node001");
            assertThat(rows(db)).containsExactly("before the move");
            for (String n : nodes()) {
                assertThat(node(n).getSpec().getUnschedulable()).as(n + " cordoned").isNotEqualTo(true);
                assertThat(node(n).getMetadata().getAnnotations()).doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            }
            assertThat(statefulSet(db).getMetadata().getAnnotations()).doesNotContainKey(Names.MOVED_FROM_ANNOTATION);
        } finally {
            drop(db);
        }
    }

    @Test
    void failback_lifts_only_pgwarden_s_cordon_an_administrator_s_stays() throws Exception {
        String db = "pg-admin";
        deployOn("node002", db);
        try {
            cordon("node002", true);
            MessageMetadata move = send(new MoveDatabase(NS, db, null, false, false, null), db);
            assertThat(tail.awaitFinal(move.id(), WAIT).state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(pod(db).getSpec().getNodeName()).isNotEqualTo("node002");
            assertThat(node("node002").getMetadata().getAnnotations()).doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);

            MessageMetadata moveBack = send(new FailbackDatabase(NS, db, true, false, null), db);
            CommandStatusChanged refused = tail.awaitFinal(moveBack.id(), WAIT);
            assertThat(refused.state()).isEqualTo(CommandState.REJECTED);
            assertThat(refused.reason()).isEqualTo("cannot move default/pg-admin back to node node002: it is cordoned,"
                    + " and not by pgwarden (no pgwarden.io/cordoned-for=default/pg-admin): uncordon it first, or fail"
                    + " back without moveBack");

            MessageMetadata failback = send(new FailbackDatabase(NS, db, false, false, null), db);
            CommandStatusChanged done = tail.awaitFinal(failback.id(), WAIT);
            assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).isEqualTo("failed back default/pg-admin: node node002 is cordoned, not by pgwarden"
                    + " for default/pg-admin: left cordoned; cleared pgwarden.io/moved-from");
            assertThat(node("node002").getSpec().getUnschedulable()).isTrue();
        } finally {
            drop(db);
        }
    }

    @Test
    void stop_then_start_keep_a_row_written_before() throws Exception {
        String db = "pg-stop";
        deployOn("node001", db);
        try {
            insertRow(db, "before the stop");
            MessageMetadata stop = send(new StopDatabase(NS, db, false, "storage maintenance"), db);
            CommandStatusChanged stopped = tail.awaitFinal(stop.id(), WAIT);
            assertThat(stopped.state()).as(stopped.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(stopped.reason()).matches("stopped default/pg-stop in \\d+ ms: pod gone, volumes detached; start"
                    + " brings back 1 replica");
            assertThat(statefulSet(db).getSpec().getReplicas()).isZero();
            assertThat(statefulSet(db).getMetadata().getAnnotations()).containsEntry(Names.STOPPED_REPLICAS_ANNOTATION,
                    "1").containsEntry(Names.STOPPED_ON_ANNOTATION, "node001");
            assertThat(pod(db)).isNull();
            assertThat(client.storage().v1().volumeAttachments().list().getItems()).noneMatch(va ->
                    va.getSpec().getSource().getPersistentVolumeName().equals(volumeOf(db)));

            MessageMetadata start = send(new StartDatabase(NS, db, false, null), db);
            CommandStatusChanged started = tail.awaitFinal(start.id(), WAIT);
            assertThat(started.state()).as(started.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(started.reason()).matches("started default/pg-stop on node node00\\d; writes accepted \\d+ ms"
                    + " after the request");
            assertThat(rows(db)).containsExactly("before the stop");
            assertThat(statefulSet(db).getSpec().getReplicas()).isEqualTo(1);
            assertThat(statefulSet(db).getMetadata().getAnnotations())
                    .doesNotContainKeys(Names.STOPPED_REPLICAS_ANNOTATION, Names.STOPPED_ON_ANNOTATION);
            assertInSequence(tail.statusesOf(start.id()));
        } finally {
            drop(db);
        }
    }

    @Test
    void bad_requests_and_a_busy_database_are_rejected_with_what_to_change() throws Exception {
        String db = "pg-refuse";
        deployOn("node001", db);
        try {
            assertRejected(new MoveDatabase(NS, "pg-nope", null, false, false, null), "pg-nope",
                    "no StatefulSet pg-nope in namespace default: no such database (check the namespace and the name)");
            assertRejected(new StartDatabase(NS, db, false, null), db, "default/pg-refuse is running (replicas 1):"
                    + " nothing to start");
            cordon("node002", true);
            assertRejected(new MoveDatabase(NS, db, "node002", false, false, null), db, "target node node002 cannot run"
                    + " pod pg-refuse-0: cordoned; nodes that can take it: node003");
            assertRejected(new MoveDatabase(NS, db, "node404", false, false, null), db, "target node node404 does not"
                    + " exist; nodes that can take it: node003");

            // The refusals above took and gave back the database's lock: its Lease is there, unheld.
            client.leases().inNamespace(NS).withName("pgwarden-op-" + db).delete();
            await().atMost(WAIT).until(() -> client.leases().inNamespace(NS).withName("pgwarden-op-" + db).get() == null);
            Instant acquired = Instant.now();
            client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata()
                    .withName("pgwarden-op-" + db).withNamespace(NS)
                    .addToAnnotations("pgwarden.io/operation-kind", "RestoreBackup")
                    .addToAnnotations("pgwarden.io/service", "backup-service").endMetadata()
                    .withNewSpec().withHolderIdentity("restore-1").withLeaseDurationSeconds(300)
                    .withAcquireTime(micro(acquired)).withRenewTime(micro(acquired)).endSpec().build()).create();
            MessageMetadata busy = send(new MoveDatabase(NS, db, null, false, false, null), db);
            CommandStatusChanged refused = tail.awaitFinal(busy.id(), WAIT);
            assertThat(refused.state()).isEqualTo(CommandState.REJECTED);
            assertThat(refused.reason()).startsWith("database default/pg-refuse is busy with RestoreBackup restore-1 of"
                    + " backup-service, started ");
            MessageMetadata dryRun = send(new MoveDatabase(NS, db, null, false, true, null), db);
            CommandStatusChanged plan = tail.awaitFinal(dryRun.id(), WAIT);
            assertThat(plan.state()).as("a dry run takes no lock").isEqualTo(CommandState.SUCCEEDED);
            assertThat(pod(db).getSpec().getNodeName()).isEqualTo("node001");
        } finally {
            client.leases().inNamespace(NS).withName("pgwarden-op-" + db).delete();
            drop(db);
        }
    }

    @Test
    void dry_runs_say_the_plan_and_change_nothing() throws Exception {
        String db = "pg-dry";
        deployOn("node002", db);
        try {
            String before = cluster(db);
            CommandStatusChanged move = awaitFinal(new MoveDatabase(NS, db, "node001", false, true, null), db);
            assertThat(move.state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(move.reason()).isEqualTo("dry run, nothing changed: move default/pg-dry off node node002 to node"
                    + " node001: cordon node node002 (remembered as pgwarden's cordon, for failback), cordon node003"
                    + " until the new pod is bound, evict pod pg-dry-0 (policy/v1 Eviction: disruption budgets hold),"
                    + " wait until it is Ready on node node001 (up to " + PlannedSandboxResource.READY_TIMEOUT
                    + ") and accepts a write (up to PT20S); target node node001 is Ready, schedulable and allowed by the"
                    + " pod's constraints");
            CommandStatusChanged stop = awaitFinal(new StopDatabase(NS, db, true, null), db);
            assertThat(stop.state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(stop.reason()).startsWith("dry run, nothing changed: stop default/pg-dry: record"
                    + " pgwarden.io/stopped-replicas=1 and pgwarden.io/stopped-on=node002");
            assertThat(awaitFinal(new FailbackDatabase(NS, db, false, true, null), db).state())
                    .as("nothing to fail back").isEqualTo(CommandState.REJECTED);
            assertThat(cluster(db)).isEqualTo(before);
        } finally {
            drop(db);
        }
    }

    @Test
    void a_move_whose_pod_cannot_become_ready_anywhere_fails_in_its_timeout_and_uncordons_the_node_again() throws Exception {
        String db = "pg-stuck";
        deployOn("node003", db);
        try {
            cordon("node001", true);
            cordon("node002", true);
            MessageMetadata move = send(new MoveDatabase(NS, db, null, false, false, null), db);
            CommandStatusChanged failed = tail.awaitFinal(move.id(), WAIT);
            assertThat(failed.state()).as(failed.toString()).isEqualTo(CommandState.FAILED);
            assertThat(failed.reason()).isEqualTo("pod pg-stuck-0 did not become Ready on another node within "
                    + PlannedSandboxResource.READY_TIMEOUT + ": pod pg-stuck-0 to be scheduled (no node takes it yet);"
                    + " rolled back: uncordoned node node003");
            assertThat(node("node003").getSpec().getUnschedulable()).isNotEqualTo(true);
            assertThat(node("node003").getMetadata().getAnnotations()).doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            assertThat(node("node001").getSpec().getUnschedulable()).as("the administrator's cordon").isTrue();
            assertThat(activities(move.id())).extracting(ActivityRecorded::action).last().isEqualTo("MoveFailed");
            await().atMost(WAIT).until(() -> podReady(db));
            assertThat(pod(db).getSpec().getNodeName()).isEqualTo("node003");
        } finally {
            drop(db);
        }
    }

    @Test
    void a_disruption_budget_that_allows_nothing_fails_the_move_changing_nothing_unless_it_is_overridden()
            throws Exception {
        String db = "pg-pdb";
        deployOn("node001", db);
        try {
            client.policy().v1().podDisruptionBudget().inNamespace(NS).resource(new PodDisruptionBudgetBuilder()
                    .withNewMetadata().withName(db).withNamespace(NS).endMetadata().withNewSpec()
                    .withMinAvailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", db).endSelector()
                    .endSpec().build()).create();
            await().atMost(WAIT).until(() -> {
                PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(db).get();
                return pdb.getStatus() != null && pdb.getMetadata().getGeneration()
                        .equals(pdb.getStatus().getObservedGeneration()) && pdb.getStatus().getCurrentHealthy() == 1;
            });
            String uid = pod(db).getMetadata().getUid();

            CommandStatusChanged plan = awaitFinal(new MoveDatabase(NS, db, null, false, true, null), db);
            assertThat(plan.reason()).endsWith("PodDisruptionBudget pg-pdb (minAvailable 1) allows 0 disruptions now:"
                    + " the eviction will be refused and the move fail, changing nothing");

            MessageMetadata move = send(new MoveDatabase(NS, db, null, false, false, null), db);
            CommandStatusChanged failed = tail.awaitFinal(move.id(), WAIT);
            assertThat(failed.state()).as(failed.toString()).isEqualTo(CommandState.FAILED);
            assertThat(failed.reason()).isEqualTo("the eviction of pod pg-pdb-0 was refused: HTTP 429 Cannot evict pod"
                    + " as it would violate the pod's disruption budget.; The disruption budget pg-pdb needs 1 healthy"
                    + " pods and has 1 currently (PodDisruptionBudget pg-pdb (minAvailable 1) allows 0 disruptions now:"
                    + " the eviction will be refused and the move fail, changing nothing); ask with"
                    + " ignoreDisruptionBudget to delete the pod anyway; rolled back: uncordoned node node001");
            assertThat(pod(db).getMetadata().getUid()).isEqualTo(uid);
            assertThat(pod(db).getMetadata().getDeletionTimestamp()).isNull();
            assertThat(node("node001").getSpec().getUnschedulable()).isNotEqualTo(true);
            assertThat(node("node001").getMetadata().getAnnotations()).doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            assertThat(statefulSet(db).getMetadata().getAnnotations()).doesNotContainKey(Names.MOVED_FROM_ANNOTATION);

            CommandStatusChanged overridden = awaitFinal(new MoveDatabase(NS, db, null, true, false, null), db);
            assertThat(overridden.state()).as(overridden.toString()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(pod(db).getSpec().getNodeName()).isNotEqualTo("node001");
        } finally {
            client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(db).delete();
            drop(db);
        }
    }

    // ---- commands and what they said ----

    private MessageMetadata send(Object command, String db) {
        return probe.send(SOURCE, command, NS + "/" + db);
    }

    private CommandStatusChanged awaitFinal(Object command, String db) {
        return tail.awaitFinal(send(command, db).id(), WAIT);
    }

    private void assertRejected(Object command, String db, String reason) {
        CommandStatusChanged status = awaitFinal(command, db);
        assertThat(status.state()).as(status.toString()).isEqualTo(CommandState.REJECTED);
        assertThat(status.reason()).isEqualTo(reason);
    }

    private static void assertInSequence(List<CommandStatusChanged> statuses) {
        for (int i = 0; i < statuses.size(); i++) {
            assertThat(statuses.get(i).sequence()).as("status sequences").isEqualTo(i + 1L);
        }
    }

    private List<ActivityRecorded> activities(String id) {
        return tail.matching(ofType(MessageType.ACTIVITY_RECORDED).and(correlatedTo(id))).stream()
                .map(PlannedOperationsIT::activity).toList();
    }

    private static ActivityRecorded activity(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.read(record.value(), ActivityRecorded.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the cluster ----

    private List<String> nodes() {
        return sandbox.faults().nodes().stream().map(k -> k.name()).sorted().toList();
    }

    private Node node(String name) {
        return client.nodes().withName(name).get();
    }

    private StatefulSet statefulSet(String db) {
        return client.apps().statefulSets().inNamespace(NS).withName(db).get();
    }

    private Pod pod(String db) {
        return client.pods().inNamespace(NS).withName(db + "-0").get();
    }

    /** What a dry run must not change: the StatefulSet's spec and annotations, the pod, the nodes' cordons. */
    private String cluster(String db) {
        StatefulSet sts = statefulSet(db);
        Pod pod = pod(db);
        StringBuilder s = new StringBuilder("generation " + sts.getMetadata().getGeneration() + ", replicas "
                + sts.getSpec().getReplicas() + ", annotations " + sts.getMetadata().getAnnotations() + ", pod "
                + pod.getMetadata().getUid() + " on " + pod.getSpec().getNodeName() + " deleting "
                + pod.getMetadata().getDeletionTimestamp());
        for (String n : nodes()) {
            Node node = node(n);
            s.append("; ").append(n).append(" unschedulable ").append(node.getSpec().getUnschedulable())
                    .append(" cordoned-for ").append(node.getMetadata().getAnnotations()
                            .get(Names.CORDONED_FOR_ANNOTATION));
        }
        return s.toString();
    }

    /** Deploys the database while the other nodes are cordoned, so it runs on node. */
    private void deployOn(String node, String db) {
        List<String> others = nodes().stream().filter(n -> !n.equals(node)).toList();
        others.forEach(n -> cordon(n, true));
        try {
            DemoDatabase.deploy(client, NS, db);
            await().atMost(WAIT).until(() -> podReady(db));
        } finally {
            others.forEach(n -> cordon(n, false));
        }
        assertThat(pod(db).getSpec().getNodeName()).isEqualTo(node);
    }

    private void drop(String db) {
        client.apps().statefulSets().inNamespace(NS).withName(db).delete();
        client.services().inNamespace(NS).withName(db).delete();
        client.secrets().inNamespace(NS).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> pod(db) == null);
    }

    private void cordon(String node, boolean unschedulable) {
        NodeEdits.cordon(client, node, unschedulable);
    }

    private boolean nodeReady(String node) {
        return node(node).getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private boolean podReady(String db) {
        Pod p = pod(db);
        return p != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private String volumeOf(String db) {
        return client.persistentVolumeClaims().inNamespace(NS).withName("data-" + db + "-0").get().getSpec()
                .getVolumeName();
    }

    private List<Event> events(String db) {
        return client.v1().events().inNamespace(NS).withField("involvedObject.kind", "StatefulSet")
                .withField("involvedObject.name", db).list().getItems();
    }

    private static ZonedDateTime micro(Instant at) {
        return ZonedDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    // ---- the database, through its Service ----

    /** A pod just Ready may not be behind its Service's proxy yet: the first connection is retried. */
    private Connection connect(String db) {
        java.util.concurrent.atomic.AtomicReference<Connection> connection = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            int port = sandbox.servicePort(NS, db).orElseThrow();
            connection.set(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                    "postgres", ""));
            return true;
        });
        return connection.get();
    }

    private void insertRow(String db, String text) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS kept (text text)");
            s.execute("INSERT INTO kept VALUES ('" + text + "')");
        }
    }

    private List<String> rows(String db) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT text FROM kept")) {
            List<String> rows = new java.util.ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }
}
