package io.pgwarden.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.testing.NodeEdits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pgwarden.e2e.NodeFailoverE2E.NS_DEFAULT;
import static io.pgwarden.e2e.NodeFailoverE2E.assertNoSplitBrain;
import static io.pgwarden.e2e.NodeFailoverE2E.awaitIncidentEnd;
import static io.pgwarden.e2e.NodeFailoverE2E.deployOnOneNode;
import static io.pgwarden.e2e.NodeFailoverE2E.incident;
import static io.pgwarden.e2e.NodeFailoverE2E.jdbcUrl;
import static io.pgwarden.e2e.NodeFailoverE2E.podReady;
import static io.pgwarden.e2e.NodeFailoverE2E.unfence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The failover's safety where it is easiest to get wrong: a blind watcher, a crash mid-incident, an early unfence. */
@ExtendWith(SystemExtension.class)
class NodeFailoverSafetyE2E {
    private static final Duration WAIT = Duration.ofSeconds(120);

    /**
     * The API server is down for everyone for 90 s (scaled): the kubelets cannot renew, so when it is back every
     * lease is stale at once. That is an outage, not a mass failure: no incident may go past suspected.
     */
    @Test
    void an_api_outage_while_the_nodes_are_healthy_fences_nothing(RunningSystem system) throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        deployOnOneNode(system, "pg-outage");
        Instant before = Instant.now();
        Duration outage = SandboxConfig.fast().scaled(Duration.ofSeconds(90));
        sandbox.faults().apiOutage(outage, true);
        await().atMost(WAIT).until(() -> sandbox.faults().apiOutage().isEmpty());
        // After the outage: a full lease threshold, a confirmation time and a fence would fit in this many times over.
        Thread.sleep(SandboxConfig.fast().scaled(Duration.ofSeconds(90)).toMillis());

        List<String> pastSuspected = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(system.stack().catalogJdbcUrl(), CatalogDatabase.USER, "");
             PreparedStatement s = c.prepareStatement("SELECT id, phase, data::text FROM failover.operation WHERE"
                     + " kind = 'NodeIncident' AND created_at >= ?")) {
            s.setTimestamp(1, java.sql.Timestamp.from(before));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (r.getString(3).contains("at.confirmed")) {
                        pastSuspected.add(r.getString(1) + " " + r.getString(2));
                    }
                }
            }
        }
        assertThat(pastSuspected).as("incidents past suspected after an API outage").isEmpty();
        KubernetesClient client = sandbox.client();
        assertThat(client.nodes().list().getItems()).allSatisfy(n -> assertThat(n.getSpec().getTaints())
                .noneMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey())));
        assertThat(sandbox.faults().nodes()).allMatch(k -> k.isPowered());
        await().atMost(WAIT).until(() -> podReady(client, "pg-outage-0"));
    }

    /**
     * failover-service is killed (SIGKILL) with its force delete in flight (the API server applied it, its answer is
     * slow): the restarted service resumes the incident from its persisted phase and finishes it once.
     */
    @Test
    void a_failover_service_killed_mid_release_finishes_the_incident_once(RunningSystem system) throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        String node = deployOnOneNode(system, "pg-crash");
        sandbox.apiRequests().answerSlowly("DELETE", "/api/v1/namespaces/default/pods/pg-crash-0",
                Duration.ofSeconds(60), 1);
        long killed = system.stack().services().get("failover-service").pid();
        Instant off = Instant.now();
        try {
            sandbox.faults().powerOff(node);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> incident(system, node, off)
                    .map(i -> "releasing".equals(i.get("phase"))).orElse(false));
            List<ServiceProcess> victims = new ArrayList<>(system.stack().replicas());
            victims.add(system.stack().services().get("failover-service"));
            victims.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));

            Map<String, String> ended = awaitIncidentEnd(system, node, off);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("recovered");
            assertThat(system.stack().services().get("failover-service").pid()).isNotEqualTo(killed);
            assertThat(incidentsSince(system, node, off)).as("one incident for the one silence").isEqualTo(1);
            await().atMost(WAIT).until(() -> podReady(sandbox.client(), "pg-crash-0"));
            assertThat(sandbox.client().pods().inNamespace(NS_DEFAULT).withName("pg-crash-0").get().getSpec()
                    .getNodeName()).isNotEqualTo(node);
        } finally {
            unfence(system, node);
        }
        assertNoSplitBrain(sandbox);
    }

    /**
     * A partitioned node fenced at the storage (csi-addons NetworkFence) keeps its PostgreSQL running, unable to
     * write. The unfence waits until the healed kubelet has killed it: lifting the fence earlier would let it write
     * again beside the new primary, which the invariant recorder counts as a split brain.
     */
    @Test
    void a_storage_fenced_zombie_is_unfenced_only_after_it_stopped(RunningSystem system) throws Exception {
        Sandbox sandbox = system.stack().sandbox();
        KubernetesClient client = sandbox.client();
        String node = deployOnOneNode(system, "pg-zombie");
        NodeEdits.label(client, node, Names.FENCE_DRIVER_LABEL, "network-fence");
        Instant partitioned = Instant.now();
        try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> jdbcUrl(sandbox, "pg-zombie"))) {
            await().atMost(WAIT).until(() -> writer.count() >= 20);
            sandbox.faults().partition(node);
            Map<String, String> ended = awaitIncidentEnd(system, node, partitioned);
            assertThat(ended.get("phase")).as(ended.toString()).isEqualTo("recovered");
            assertThat(ended.get("fenceDriver")).isEqualTo("network-fence");
            await().atMost(WAIT).until(() -> writer.count() >= 40);
            assertThat(writer.stopAndFindLost()).isEmpty();
        } finally {
            sandbox.faults().heal(node);
            unfence(system, node);
            NodeEdits.label(client, node, Names.FENCE_DRIVER_LABEL, null);
        }
        List<InvariantRecorder.Writer> onNode = sandbox.invariants().writers().stream()
                .filter(w -> w.pod().endsWith("pg-zombie-0") && w.node().equals(node)).toList();
        assertThat(onNode).isNotEmpty().allSatisfy(w -> assertThat(w.end()).isPresent());
        assertNoSplitBrain(sandbox);
    }

    private static int incidentsSince(RunningSystem system, String node, Instant since) throws Exception {
        try (Connection c = DriverManager.getConnection(system.stack().catalogJdbcUrl(), CatalogDatabase.USER, "");
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM failover.operation WHERE"
                     + " kind = 'NodeIncident' AND subject = ? AND created_at >= ?")) {
            s.setString(1, node);
            s.setTimestamp(2, java.sql.Timestamp.from(since));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
