package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.pgwarden.e2e.PlannedOperationsE2E.NS;
import static io.pgwarden.e2e.PlannedOperationsE2E.WAIT;
import static io.pgwarden.e2e.PlannedOperationsE2E.cordon;
import static io.pgwarden.e2e.PlannedOperationsE2E.deployOn;
import static io.pgwarden.e2e.PlannedOperationsE2E.drop;
import static io.pgwarden.e2e.PlannedOperationsE2E.node;
import static io.pgwarden.e2e.PlannedOperationsE2E.nodes;
import static io.pgwarden.e2e.PlannedOperationsE2E.path;
import static io.pgwarden.e2e.PlannedOperationsE2E.pod;
import static io.pgwarden.e2e.PlannedOperationsE2E.sorted;
import static io.pgwarden.e2e.PlannedOperationsE2E.statefulSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What stops a planned operation, through the gateway's REST API on the packaged system: another operation holding
 * the database's lock, a dry run (which changes nothing), a pod that cannot become Ready anywhere (rolled back in its
 * timeout) and a PodDisruptionBudget that allows no disruption.
 */
@ExtendWith(SystemExtension.class)
class PlannedOperationsSafetyE2E {

    private RunningSystem system;
    private KubernetesClient client;

    @BeforeEach
    void everyNodeReadyAndSchedulable(RunningSystem system) {
        this.system = system;
        this.client = system.stack().sandbox().client();
        PlannedOperationsE2E.awaitEveryNodeReady(system);
    }

    @AfterEach
    void uncordonEveryNode() {
        nodes(system).forEach(n -> cordon(client, n, false));
    }

    @Test
    void dry_runs_report_a_plan_and_change_nothing_and_a_move_while_a_backup_holds_the_lock_is_rejected_naming_it(
            RunningSystem system) throws Exception {
        String db = "pg-planned-dry";
        deployOn(system, "node002", db);
        String lease = "pgwarden-op-" + db;
        try {
            Map<String, String> before = cluster(system, db);
            JsonNode move = finished("failover?dryRun=true", db, "{\"targetNode\":\"node001\"}");
            assertThat(move.get("state").asText()).as(move.toString()).isEqualTo("SUCCEEDED");
            assertThat(move.get("reason").asText()).startsWith("dry run, nothing changed: move default/" + db
                    + " off node node002 to node node001: cordon node node002").contains("evict pod " + db + "-0",
                    "target node node001 is Ready, schedulable and allowed by the pod's constraints");
            JsonNode anywhere = finished("failover?dryRun=true", db, "{}");
            assertThat(anywhere.get("state").asText()).as(anywhere.toString()).isEqualTo("SUCCEEDED");
            assertThat(anywhere.get("reason").asText()).startsWith("dry run, nothing changed: move default/" + db);
            JsonNode stop = finished("stop?dryRun=true", db, "{}");
            assertThat(stop.get("state").asText()).as(stop.toString()).isEqualTo("SUCCEEDED");
            assertThat(stop.get("reason").asText()).startsWith("dry run, nothing changed: stop default/" + db
                    + ": record pgwarden.io/stopped-replicas=1 and pgwarden.io/stopped-on=node002");
            // Failback and start have nothing to do here: refused as the real commands would be (their plans are
            // PlannedOperationsE2E's, on a moved and a stopped database).
            assertThat(finished("failback?dryRun=true", db, "{}").get("state").asText()).isEqualTo("REJECTED");
            assertThat(finished("start?dryRun=true", db, "{}").get("state").asText()).isEqualTo("REJECTED");
            assertThat(cluster(system, db)).isEqualTo(before);

            // The database's lock as backup-service holds it during a backup: the Lease, holder and annotations of
            // operations' KubernetesDatabaseLocks (a module this one does not depend on).
            client.leases().inNamespace(NS).withName(lease).delete();
            await().atMost(WAIT).until(() -> client.leases().inNamespace(NS).withName(lease).get() == null);
            ZonedDateTime now = ZonedDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
            client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName(lease)
                    .withNamespace(NS).addToAnnotations("pgwarden.io/operation-kind", "TakeBackup")
                    .addToAnnotations("pgwarden.io/service", "backup-service").endMetadata()
                    .withNewSpec().withHolderIdentity("backup-e2e-1").withLeaseDurationSeconds(300)
                    .withAcquireTime(now).withRenewTime(now).endSpec().build()).create();
            JsonNode busy = finished("failover", db, "{\"reason\":\"while a backup runs\"}");
            assertThat(busy.get("state").asText()).as(busy.toString()).isEqualTo("REJECTED");
            assertThat(busy.get("reason").asText()).startsWith("database default/" + db + " is busy with TakeBackup"
                    + " backup-e2e-1 of backup-service, started ");
            // The gateway answers from its copy, refreshed every 500 ms.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode view = Json.MAPPER.readTree(system.get("/api/v1/clusters/" + NS + "/" + db).body());
                assertThat(view.at("/operation/id").asText()).as(view.toString()).isEqualTo("backup-e2e-1");
            });
            assertThat(cluster(system, db)).isEqualTo(before);
        } finally {
            client.leases().inNamespace(NS).withName(lease).delete();
            drop(system, db);
        }
    }

    @Test
    void a_move_whose_pod_cannot_become_ready_anywhere_fails_in_its_timeout_and_uncordons_its_node(
            RunningSystem system) throws Exception {
        String db = "pg-planned-stuck";
        deployOn(system, "node003", db);
        try {
            cordon(client, "node001", true);
            cordon(client, "node002", true);
            long began = System.nanoTime();
            JsonNode failed = finished("failover", db, "{}");
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            assertThat(failed.get("state").asText()).as(failed.toString()).isEqualTo("FAILED");
            assertThat(failed.get("reason").asText()).isEqualTo("pod " + db + "-0 did not become Ready on another"
                    + " node within " + RunningSystem.PLANNED_READY_TIMEOUT + ": pod " + db + "-0 to be scheduled (no"
                    + " node takes it yet); rolled back: uncordoned node node003");
            assertThat(took).as("failed in its timeout, not the engine's backstop")
                    .isGreaterThanOrEqualTo(RunningSystem.PLANNED_READY_TIMEOUT)
                    .isLessThan(RunningSystem.PLANNED_READY_TIMEOUT.plusSeconds(20));
            assertThat(node(client, "node003").getSpec().getUnschedulable()).isNotEqualTo(true);
            assertThat(node(client, "node003").getMetadata().getAnnotations())
                    .doesNotContainKey(Names.CORDONED_FOR_ANNOTATION);
            assertThat(node(client, "node001").getSpec().getUnschedulable()).as("the administrator's cordon").isTrue();
            await().atMost(WAIT).until(() -> NodeFailoverE2E.podReady(client, db + "-0"));
            assertThat(pod(client, db).getSpec().getNodeName()).isEqualTo("node003");
        } finally {
            drop(system, db);
        }
    }

    @Test
    void a_disruption_budget_that_allows_nothing_blocks_the_move_unless_it_is_explicitly_ignored(
            RunningSystem system) throws Exception {
        String db = "pg-planned-pdb";
        deployOn(system, "node001", db);
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
            Map<String, String> before = cluster(system, db);

            JsonNode blocked = finished("failover", db, "{}");
            assertThat(blocked.get("state").asText()).as(blocked.toString()).isIn("FAILED", "REJECTED");
            assertThat(blocked.get("reason").asText()).contains("disruption budget", "PodDisruptionBudget " + db
                    + " (minAvailable 1) allows 0 disruptions", "ignoreDisruptionBudget");
            assertThat(cluster(system, db)).as("the move changed nothing").isEqualTo(before);

            JsonNode moved = finished("failover", db, "{\"ignoreDisruptionBudget\":true}");
            assertThat(moved.get("state").asText()).as(moved.toString()).isEqualTo("SUCCEEDED");
            assertThat(pod(client, db).getSpec().getNodeName()).isNotEqualTo("node001");
        } finally {
            client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(db).delete();
            drop(system, db);
        }
    }

    private JsonNode finished(String operation, String db, String body) {
        return CordonThroughTheGatewayE2E.finished(system, system.post(path(db, operation), body));
    }

    /**
     * What a dry run or a refused operation must not change: the StatefulSet's generation, spec and annotations, the
     * pod (uid, node, deletion, annotations), and each node's cordon and annotations. Not the nodes' taints: the node
     * lifecycle controller changes those on its own (a node powered off in the meantime), and no planned operation
     * touches them.
     */
    static Map<String, String> cluster(RunningSystem system, String db) throws Exception {
        KubernetesClient client = system.stack().sandbox().client();
        Map<String, String> seen = new LinkedHashMap<>();
        StatefulSet sts = statefulSet(client, db);
        seen.put("statefulset", "generation " + sts.getMetadata().getGeneration() + ", annotations "
                + sorted(sts.getMetadata().getAnnotations()) + ", spec " + Json.MAPPER.writeValueAsString(sts.getSpec()));
        Pod pod = pod(client, db);
        seen.put("pod", pod == null ? "none" : pod.getMetadata().getUid() + " on " + pod.getSpec().getNodeName()
                + ", deleting " + pod.getMetadata().getDeletionTimestamp() + ", annotations "
                + sorted(pod.getMetadata().getAnnotations()));
        for (String n : nodes(system)) {
            Node node = node(client, n);
            seen.put(n, "unschedulable " + node.getSpec().getUnschedulable() + ", annotations "
                    + sorted(node.getMetadata().getAnnotations()));
        }
        return seen;
    }
}
