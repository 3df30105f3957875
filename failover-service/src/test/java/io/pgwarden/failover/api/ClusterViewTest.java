package io.pgwarden.failover.api;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.event.CommandState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterViewTest {
    private static final Instant NOW = Instant.parse("2026-11-26T23:00:00Z");
    private static final Instant ACQUIRED = NOW.minusSeconds(12);

    @Test
    void a_ready_pod_without_an_operation_is_running_on_its_node() {
        ClusterView v = ClusterView.of(sts(1, Map.of(Names.MOVED_FROM_ANNOTATION, "node001")),
                pod("node002", true), null, null, NOW);

        assertThat(v.phase()).isEqualTo("running");
        assertThat(v.detail()).isNull();
        assertThat(v.namespace()).isEqualTo("db1");
        assertThat(v.name()).isEqualTo("pg-a");
        assertThat(v.pod()).isEqualTo("pg-a-0");
        assertThat(v.node()).isEqualTo("node002");
        assertThat(v.ready()).isTrue();
        assertThat(v.replicas()).isEqualTo(1);
        assertThat(v.stoppedReplicas()).isNull();
        assertThat(v.movedFrom()).isEqualTo("node001");
        assertThat(v.operation()).isNull();
        assertThat(v.lastIncident()).isNull();
        assertThat(v.observedAt()).isEqualTo(NOW);
    }

    @Test
    void the_operation_holding_the_lock_names_the_phase_and_is_shown() {
        ClusterView moving = ClusterView.of(sts(1, Map.of()), pod("node001", true), lease("MoveDatabase", "cmd-1"),
                null, NOW);
        assertThat(moving.phase()).isEqualTo("moving");
        assertThat(moving.operation()).isEqualTo(new ClusterView.LockHolder("MoveDatabase", "cmd-1",
                "failover-service", ACQUIRED, NOW.minusSeconds(2)));

        assertThat(phaseWhileHeldBy("FailbackDatabase")).isEqualTo("moving");
        assertThat(phaseWhileHeldBy("NodeIncident")).isEqualTo("failing over");
        assertThat(phaseWhileHeldBy("RestoreBackup")).isEqualTo("restoring");
        assertThat(phaseWhileHeldBy("StopDatabase")).isEqualTo("stopping");
        assertThat(phaseWhileHeldBy("StartDatabase")).isEqualTo("starting");
    }

    @Test
    void a_backup_holding_the_lock_leaves_the_phase_to_the_pod_and_is_still_shown() {
        ClusterView v = ClusterView.of(sts(1, Map.of()), pod("node001", true), lease("TakeBackup", "cmd-2"), null, NOW);

        assertThat(v.phase()).isEqualTo("running");
        assertThat(v.operation().kind()).isEqualTo("TakeBackup");
        assertThat(v.operation().id()).isEqualTo("cmd-2");
    }

    @Test
    void a_released_lease_is_no_operation() {
        Lease released = lease("MoveDatabase", "cmd-1");
        released.getSpec().setHolderIdentity(null);

        ClusterView v = ClusterView.of(sts(1, Map.of()), pod("node001", true), released, null, NOW);

        assertThat(v.operation()).isNull();
        assertThat(v.phase()).isEqualTo("running");
    }

    @Test
    void stopped_by_pgwarden_is_zero_replicas_with_the_recorded_count() {
        ClusterView v = ClusterView.of(sts(0, Map.of(Names.STOPPED_REPLICAS_ANNOTATION, "1")), null, null, null, NOW);

        assertThat(v.phase()).isEqualTo("stopped");
        assertThat(v.stoppedReplicas()).isEqualTo(1);
        assertThat(v.detail()).isEqualTo("stopped by pgwarden (planned outage); start scales it back to 1 replica");
        assertThat(v.pod()).isNull();
        assertThat(v.node()).isNull();
        assertThat(v.ready()).isFalse();
    }

    @Test
    void a_database_that_does_not_run_and_is_not_explained_is_unavailable_and_says_why() {
        assertThat(ClusterView.of(sts(0, Map.of()), null, null, null, NOW))
                .extracting(ClusterView::phase, ClusterView::detail, ClusterView::stoppedReplicas)
                .containsExactly("unavailable", "scaled to 0 replicas, not by pgwarden (no annotation "
                        + "pgwarden.io/stopped-replicas)", null);
        // A count left over from a stop, with replicas back up: a start that did not finish, not a stop.
        assertThat(ClusterView.of(sts(1, Map.of(Names.STOPPED_REPLICAS_ANNOTATION, "1")), null, null, null, NOW))
                .extracting(ClusterView::phase, ClusterView::detail).containsExactly("unavailable", "no pod pg-a-0");
        assertThat(ClusterView.of(sts(1, Map.of()), pod("node003", false), null, null, NOW).detail())
                .isEqualTo("pod pg-a-0 is not Ready on node node003 (Running)");
        assertThat(ClusterView.of(sts(1, Map.of()), pod(null, false), null, null, NOW).detail())
                .isEqualTo("pod pg-a-0 is not Ready, not bound to a node (Running)");
        Pod terminating = pod("node003", true);
        terminating.getMetadata().setDeletionTimestamp(NOW.minusSeconds(1).toString());
        ClusterView v = ClusterView.of(sts(1, Map.of()), terminating, null, null, NOW);
        assertThat(v.phase()).isEqualTo("unavailable");
        assertThat(v.detail()).isEqualTo("pod pg-a-0 is terminating");
        assertThat(v.ready()).isTrue();
    }

    @Test
    void an_open_incident_that_lists_the_database_is_failing_over_before_it_takes_the_lock() {
        IncidentView.Row open = incident(CommandState.RUNNING, "fencing",
                Map.of("at.suspected", NOW.minusSeconds(20).toString(), "at.fencing", NOW.minusSeconds(5).toString(),
                        "databases", "db1/pg-a"));

        ClusterView v = ClusterView.of(sts(1, Map.of()), pod("node001", false), null, open, NOW);

        assertThat(v.phase()).isEqualTo("failing over");
        assertThat(v.lastIncident()).isEqualTo(new ClusterView.LastIncident("incident-node001-1", "node001", "open",
                "fencing", NOW.minusSeconds(20), null));
    }

    @Test
    void an_ended_incident_is_shown_and_leaves_the_phase_to_the_pod() {
        IncidentView.Row recovered = incident(CommandState.SUCCEEDED, "recovered",
                Map.of("at.suspected", NOW.minusSeconds(60).toString(), "databases", "db1/pg-a"));

        ClusterView v = ClusterView.of(sts(1, Map.of()), pod("node002", true), null, recovered, NOW);

        assertThat(v.phase()).isEqualTo("running");
        assertThat(v.lastIncident()).isEqualTo(new ClusterView.LastIncident("incident-node001-1", "node001",
                "recovered", "recovered", NOW.minusSeconds(60), NOW.minusSeconds(30)));
    }

    private static String phaseWhileHeldBy(String kind) {
        return ClusterView.of(sts(1, Map.of()), pod("node001", true), lease(kind, "op-1"), null, NOW).phase();
    }

    private static StatefulSet sts(int replicas, Map<String, String> annotations) {
        return new StatefulSetBuilder().withNewMetadata().withNamespace("db1").withName("pg-a")
                .withAnnotations(annotations).addToLabels(Names.MANAGED_LABEL, "true").endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec().build();
    }

    private static Pod pod(String node, boolean ready) {
        return new PodBuilder().withNewMetadata().withNamespace("db1").withName("pg-a-0").endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    private static Lease lease(String kind, String holder) {
        return new LeaseBuilder().withNewMetadata().withNamespace("db1").withName("pgwarden-op-pg-a")
                .addToAnnotations("pgwarden.io/operation-kind", kind)
                .addToAnnotations("pgwarden.io/service", "failover-service").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(30)
                .withAcquireTime(ACQUIRED.atZone(ZoneOffset.UTC)).withRenewTime(NOW.minusSeconds(2).atZone(ZoneOffset.UTC))
                .endSpec().build();
    }

    private static IncidentView.Row incident(CommandState state, String phase, Map<String, String> data) {
        return new IncidentView.Row("incident-node001-1", "node001", phase, state, null, null, data,
                NOW.minusSeconds(61), NOW.minusSeconds(30));
    }
}
