package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.failover.decide.PlannedAction.Annotate;
import io.pgwarden.failover.decide.PlannedAction.Announce;
import io.pgwarden.failover.decide.PlannedAction.Cordon;
import io.pgwarden.failover.decide.PlannedAction.DeletePod;
import io.pgwarden.failover.decide.PlannedAction.Evict;
import io.pgwarden.failover.decide.PlannedAction.Uncordon;
import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.failover.decide.PlannedView.PodConstraints;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.decide.PlannedCluster.KEY;
import static io.pgwarden.failover.decide.PlannedCluster.SETTINGS;
import static io.pgwarden.failover.decide.PlannedCluster.T0;
import static io.pgwarden.failover.decide.PlannedCluster.after;
import static org.assertj.core.api.Assertions.assertThat;

class MoveDeciderTest {
    private final PlannedCluster cluster = new PlannedCluster();

    private static MoveDatabase move(String target) {
        return new MoveDatabase("default", "pg", target, false, false, "maintenance");
    }

    private Decision<PlannedAction> decide(Operation op, MoveDatabase command, Instant now) {
        return MoveDecider.decide(op, command, cluster.view(), now, SETTINGS);
    }

    private Decision<PlannedAction> startWith(MoveDatabase command) {
        return decide(PlannedCluster.accepted("MoveDatabase"), command, T0);
    }

    private void assertRejected(MoveDatabase command, String reason) {
        Decision<PlannedAction> d = startWith(command);
        assertThat(d.next()).as(d.toString()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo(reason);
        assertThat(d.actions()).isEmpty();
    }

    // ---- refusals ----

    @Test
    void an_unknown_database_is_rejected() {
        cluster.exists = false;
        assertRejected(move(null), "no StatefulSet pg in namespace default: no such database (check the namespace and"
                + " the name)");
    }

    @Test
    void a_database_pgwarden_does_not_manage_is_rejected() {
        cluster.managed = false;
        assertRejected(move(null), "StatefulSet default/pg is not managed by pgwarden: label it pgwarden.io/managed=true"
                + " first");
    }

    @Test
    void replicas_other_than_one_are_rejected() {
        cluster.replicas = 3;
        assertRejected(move(null), "default/pg has replicas 3, not 1: pgwarden moves only a single-primary StatefulSet"
                + " (replicas 1)");
    }

    @Test
    void a_stopped_database_is_rejected() {
        cluster.replicas = 0;
        cluster.annotations.putAll(PlannedCluster.stoppedAnnotations());
        cluster.pod = null;
        assertRejected(move(null), "default/pg is stopped by pgwarden (a planned outage): start it first");
    }

    @Test
    void a_target_that_is_the_current_node_or_unknown_is_rejected() {
        assertRejected(move("node001"), "target node node001 is where pod pg-0 runs already: choose another node, or"
                + " none");
        assertRejected(move("node404"), "target node node404 does not exist; nodes that can take it: node002, node003");
    }

    @Test
    void a_cordoned_or_unready_target_is_rejected() {
        cluster.cordon("node002", null);
        assertRejected(move("node002"), "target node node002 cannot run pod pg-0: cordoned; nodes that can take it:"
                + " node003");
        cluster.uncordon("node002");
        cluster.nodes.put("node002", PlannedCluster.node("node002", false, false, Optional.empty()));
        assertRejected(move("node002"), "target node node002 cannot run pod pg-0: not Ready; nodes that can take it:"
                + " node003");
    }

    @Test
    void a_target_the_pod_s_node_selector_affinity_or_tolerations_exclude_is_rejected() {
        cluster.constraints = new PodConstraints(Map.of("disk", "ssd"), List.of(), List.of());
        assertRejected(move("node002"), "target node node002 cannot run pod pg-0: no label disk=ssd (the pod's"
                + " nodeSelector); no other node can take it now (node002 (no label disk=ssd (the pod's nodeSelector)),"
                + " node003 (no label disk=ssd (the pod's nodeSelector)))");

        cluster.constraints = new PodConstraints(Map.of(), List.of(new Placement.Term(List.of(new Placement.Requirement(
                "kubernetes.io/hostname", "In", List.of("node001", "node003"))), List.of())), List.of());
        Decision<PlannedAction> d = startWith(move("node002"));
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).startsWith("target node node002 cannot run pod pg-0: none of the pod's required node"
                + " affinity terms matches").endsWith("; nodes that can take it: node003");

        cluster.constraints = PodConstraints.NONE;
        NodeSeen n = cluster.nodes.get("node002");
        cluster.nodes.put("node002", new NodeSeen("node002", true, false, n.labels(),
                List.of(new Placement.Taint("dedicated", "batch", "NoSchedule")), Optional.empty()));
        assertRejected(move("node002"), "target node node002 cannot run pod pg-0: taint dedicated=batch:NoSchedule not"
                + " tolerated; nodes that can take it: node003");

        cluster.constraints = new PodConstraints(Map.of(), List.of(),
                List.of(new Placement.Toleration("dedicated", "Exists", null, "NoSchedule")));
        assertThat(startWith(move("node002")).next()).isEqualTo(Decision.Next.CONTINUE);
    }

    @Test
    void without_a_target_a_move_no_other_node_could_ever_run_is_rejected() {
        cluster.nodes.put("node002", PlannedCluster.node("node002", false, false, Optional.empty()));
        cluster.nodes.put("node003", PlannedCluster.node("node003", false, false, Optional.empty()));
        assertRejected(move(null), "no other node can run pod pg-0: node002 (not Ready), node003 (not Ready)");
    }

    @Test
    void without_a_target_other_nodes_all_cordoned_are_a_verdict_not_a_refusal() {
        cluster.cordon("node002", null);
        cluster.cordon("node003", null);
        Decision<PlannedAction> d = startWith(new MoveDatabase("default", "pg", null, false, true, null));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).contains("every other node that could run it is cordoned now (node002, node003): the"
                + " pod waits for one to be uncordoned, for up to PT2M, then the move is rolled back");
    }

    // ---- the dry run ----

    @Test
    void a_dry_run_says_the_plan_and_each_verdict_and_changes_nothing() {
        cluster.budgets = List.of(new PlannedView.BudgetSeen("pg-pdb", 0, "minAvailable 1"));
        Decision<PlannedAction> d = startWith(new MoveDatabase("default", "pg", "node002", false, true, null));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.actions()).isEmpty();
        assertThat(d.outcome()).isEqualTo("dry run, nothing changed: move default/pg off node node001 to node node002:"
                + " cordon node node001 (remembered as pgwarden's cordon, for failback), cordon node003 until the new"
                + " pod is bound, evict pod pg-0 (policy/v1 Eviction: disruption budgets hold), wait until it is Ready"
                + " on node node002 (up to PT2M) and accepts a write (up to PT30S); target node node002 is Ready,"
                + " schedulable and allowed by the pod's constraints; PodDisruptionBudget pg-pdb (minAvailable 1)"
                + " allows 0 disruptions now: the eviction will be refused and the move fail, changing nothing");
        assertThat(d.activities()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo("MoveDryRun");
            assertThat(a.changed()).isFalse();
        });
    }

    @Test
    void a_dry_run_on_a_busy_database_says_the_command_would_be_rejected() {
        cluster.busyWith = Optional.of("TakeBackup backup-1 of backup-service, started 2026-11-26T10:00:00Z");
        Decision<PlannedAction> d = startWith(new MoveDatabase("default", "pg", null, false, true, null));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.actions()).isEmpty();
        assertThat(d.outcome()).startsWith("dry run, nothing changed: move default/pg off node node001")
                .endsWith("; database default/pg is busy now with TakeBackup backup-1 of backup-service, started"
                        + " 2026-11-26T10:00:00Z: the command would be REJECTED until that ends");
    }

    // ---- each step ----

    @Test
    void a_move_cordons_evicts_waits_for_the_new_pod_and_a_write_then_records_where_it_came_from() {
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");

        Decision<PlannedAction> d = decide(op, command, T0);
        assertThat(d.phase()).isEqualTo(MoveDecider.CORDONING);
        assertThat(d.step()).isEqualTo("cordoning node node001");
        assertThat(d.actions()).first().isEqualTo(new Cordon("node001", KEY));
        assertThat(d.actions()).last().isInstanceOf(Announce.class);
        assertThat(d.activities()).extracting(a -> a.action()).containsExactly("MoveCordoning");
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = decide(op, command, T0);
        assertThat(d.phase()).isEqualTo(MoveDecider.EVICTING);
        assertThat(d.step()).isEqualTo("evicting pod pg-0 from node node001");
        assertThat(d.actions()).first().isEqualTo(new Evict("default", "pg-0", "uid-1"));
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = decide(op, command, T0.plusMillis(10));
        assertThat(d.phase()).isEqualTo(MoveDecider.RESCHEDULING);
        op = after(op, d, T0.plusMillis(10));

        d = decide(op, command, T0.plusSeconds(1));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 to stop on node node001, 1 s");

        cluster.pod = new PodSeen("pg-0", "uid-2", null, false, false);
        d = decide(op, command, T0.plusSeconds(2));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 to be scheduled (no node takes it yet), 0 s");
        op = after(op, d, T0.plusSeconds(2));

        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", false, false);
        d = decide(op, command, T0.plusSeconds(6));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 Ready on node node002, 4 s");
        // A long wait changes its words, and so publishes a status, every 5 s up to a minute, then every 30 s.
        assertThat(decide(op, command, T0.plusSeconds(2 + 37)).step()).endsWith("node002, 35 s");
        assertThat(decide(op, command, T0.plusSeconds(2 + 119)).step()).endsWith("node002, 90 s");
        op = after(op, d, T0.plusSeconds(6));

        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        assertThat(PlannedDecider.wantsWrite(op, cluster.view())).isTrue();
        cluster.writeProblem = Optional.of("connection refused");
        d = decide(op, command, T0.plusSeconds(7));
        assertThat(d.step()).isEqualTo("waiting for default/pg to accept a write on node node002 (connection refused),"
                + " 0 s");
        op = after(op, d, T0.plusSeconds(7));

        cluster.writeProblem = Optional.empty();
        d = decide(op, command, T0.plusSeconds(8));
        assertThat(d.phase()).isEqualTo(MoveDecider.MOVED);
        assertThat(d.actions()).contains(new Annotate("default", "pg", Map.of(Names.MOVED_FROM_ANNOTATION, "node001")));
        assertThat(d.activities()).extracting(a -> a.action()).containsExactly("DatabaseMoved");
        op = after(op, d, T0.plusSeconds(8));
        cluster.apply(d.actions());

        d = decide(op, command, T0.plusSeconds(8));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("moved default/pg from node node001 to node node002; writes accepted 8000 ms"
                + " after the request; node node001 stays cordoned by pgwarden until failback");
        assertThat(cluster.nodes.get("node001").cordonedFor()).contains(KEY);
    }

    @Test
    void with_a_target_the_other_nodes_are_cordoned_until_the_new_pod_is_bound_there() {
        MoveDatabase command = move("node002");
        Operation op = PlannedCluster.accepted("MoveDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        assertThat(d.actions()).startsWith(new Cordon("node001", KEY), new Cordon("node003", KEY));
        assertThat(d.step()).isEqualTo("cordoning nodes node001, node003");
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", false, false);

        d = decide(op, command, T0.plusSeconds(1));
        assertThat(d.actions()).containsExactly(new Uncordon("node003", KEY));
        op = after(op, d, T0.plusSeconds(1));
        cluster.apply(d.actions());
        assertThat(cluster.nodes.get("node003").unschedulable()).isFalse();
        assertThat(cluster.nodes.get("node001").unschedulable()).isTrue();
    }

    @Test
    void with_a_target_a_pod_bound_elsewhere_rolls_the_move_back() {
        MoveDatabase command = move("node002");
        Operation op = PlannedCluster.accepted("MoveDatabase");
        for (int i = 0; i < 3; i++) {
            Decision<PlannedAction> d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        cluster.pod = new PodSeen("pg-0", "uid-2", "node003", false, false);
        Decision<PlannedAction> d = decide(op, command, T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.outcome()).isNull();
        assertThat(d.step()).isEqualTo("pod pg-0 was scheduled to node node003, not to the target node002 (was a node"
                + " uncordoned meanwhile?); rolled back: uncordoned nodes node001, node003");
    }

    @Test
    void ignoring_disruption_budgets_deletes_the_pod_instead_of_evicting_it() {
        MoveDatabase command = new MoveDatabase("default", "pg", null, true, false, null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = decide(op, command, T0);
        assertThat(d.actions()).first().isEqualTo(new DeletePod("default", "pg-0", "uid-1"));
        assertThat(d.step()).isEqualTo("deleting pod pg-0 from node node001");
    }

    @Test
    void a_node_someone_else_cordoned_is_left_as_it_is_and_not_uncordoned_on_rollback() {
        cluster.cordon("node001", null);
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        assertThat(d.actions()).noneMatch(a -> a instanceof Cordon);
        assertThat(d.step()).isEqualTo("cordoning nothing: node node001 is cordoned already");
        op = after(op, d, T0);
        d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.pod = null;
        d = decide(op, command, T0.plusSeconds(1));
        op = after(op, d, T0.plusSeconds(1));

        d = decide(op, command, T0.plusSeconds(122));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.actions()).noneMatch(a -> a instanceof Uncordon);
        op = after(op, d, T0.plusSeconds(122));
        d = decide(op, command, T0.plusSeconds(122));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(cluster.nodes.get("node001").unschedulable()).isTrue();
    }

    // ---- timeouts and rollback ----

    @Test
    void a_pod_not_ready_elsewhere_in_time_rolls_back_the_cordon_and_fails_with_the_reason() {
        cluster.cordon("node002", null);
        cluster.cordon("node003", null);
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        for (int i = 0; i < 3; i++) {
            Decision<PlannedAction> d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        assertThat(op.phase()).isEqualTo(MoveDecider.RESCHEDULING);
        cluster.pod = new PodSeen("pg-0", "uid-2", null, false, false);
        Decision<PlannedAction> d = decide(op, command, T0.plusSeconds(1));
        op = after(op, d, T0.plusSeconds(1));

        d = decide(op, command, T0.plusSeconds(121));
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        d = decide(op, command, T0.plusSeconds(122));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.actions()).first().isEqualTo(new Uncordon("node001", KEY));
        assertThat(d.activities()).extracting(a -> a.action()).containsExactly("MoveFailed");
        op = after(op, d, T0.plusSeconds(122));

        d = decide(op, command, T0.plusSeconds(123));
        assertThat(d.next()).as("the uncordon does not show yet").isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).containsExactly(new Uncordon("node001", KEY));

        assertThat(decide(op, command, T0.plusSeconds(183)).outcome()).as("an uncordon that never shows")
                .isEqualTo("pod pg-0 did not become Ready on another node within PT2M: pod pg-0 to be scheduled (no"
                        + " node takes it yet); the rollback could not uncordon node node001 within PT1M: uncordon it"
                        + " yourself (kubectl uncordon) and remove its annotation pgwarden.io/cordoned-for");
        cluster.apply(d.actions());

        d = decide(op, command, T0.plusSeconds(123));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("pod pg-0 did not become Ready on another node within PT2M: pod pg-0 to be"
                + " scheduled (no node takes it yet); rolled back: uncordoned node node001");
    }

    @Test
    void a_pod_that_does_not_stop_in_time_rolls_back() {
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        for (int i = 0; i < 3; i++) {
            Decision<PlannedAction> d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        Decision<PlannedAction> d = decide(op, command, T0.plusSeconds(61));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.step()).isEqualTo("pod pg-0 did not stop on node node001 within PT1M; rolled back: uncordoned"
                + " node node001");
    }

    @Test
    void no_write_in_time_after_the_pod_is_ready_rolls_back() {
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        for (int i = 0; i < 3; i++) {
            Decision<PlannedAction> d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        cluster.writeProblem = Optional.of("the server is read-only (transaction_read_only = on)");
        Decision<PlannedAction> d = decide(op, command, T0.plusSeconds(1));
        op = after(op, d, T0.plusSeconds(1));
        d = decide(op, command, T0.plusSeconds(32));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.step()).startsWith("default/pg did not accept a write on node node002 within PT30S of its pod"
                + " Ready: the server is read-only");
    }

    @Test
    void an_eviction_a_disruption_budget_refuses_fails_the_move_saying_which_budget_and_undoes_the_cordon() {
        cluster.budgets = List.of(new PlannedView.BudgetSeen("pg-pdb", 0, "minAvailable 1"));
        MoveDatabase command = move(null);
        Operation op = PlannedCluster.accepted("MoveDatabase");
        for (int i = 0; i < 2; i++) {
            Decision<PlannedAction> d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        assertThat(op.phase()).isEqualTo(MoveDecider.EVICTING);
        // The API server answered 429: the pod is not terminating.
        cluster.pod = new PodSeen("pg-0", "uid-1", "node001", true, false);
        cluster.evictionRefused = Optional.of("HTTP 429 Cannot evict pod as it would violate the pod's disruption"
                + " budget.; The disruption budget pg-pdb needs 1 healthy pods and has 1 currently");

        Decision<PlannedAction> d = decide(op, command, T0.plusSeconds(1));
        assertThat(d.phase()).isEqualTo(MoveDecider.ROLLING_BACK);
        assertThat(d.actions()).first().isEqualTo(new Uncordon("node001", KEY));
        op = after(op, d, T0.plusSeconds(1));
        cluster.apply(d.actions());
        cluster.evictionRefused = Optional.empty();

        d = decide(op, command, T0.plusSeconds(1));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("the eviction of pod pg-0 was refused: HTTP 429 Cannot evict pod as it would"
                + " violate the pod's disruption budget.; The disruption budget pg-pdb needs 1 healthy pods and has 1"
                + " currently (PodDisruptionBudget pg-pdb (minAvailable 1) allows 0 disruptions now: the eviction will"
                + " be refused and the move fail, changing nothing); ask with ignoreDisruptionBudget to delete the pod"
                + " anyway; rolled back: uncordoned node node001");
        assertThat(cluster.nodes.get("node001").unschedulable()).isFalse();
    }

    @Test
    void the_write_check_is_wanted_only_while_waiting_for_writes_from_a_new_ready_pod() {
        Operation op = PlannedCluster.accepted("MoveDatabase");
        assertThat(PlannedDecider.wantsWrite(op, cluster.view())).isFalse();
        Operation rescheduling = new Operation(op.id(), 1, op.kind(), KEY, null, "c", null, MoveDecider.RESCHEDULING,
                Map.of(PlannedDecider.OLD_UID, "uid-1"), op.state(), null, null, 0, T0, null, null, null, 2, T0, T0);
        assertThat(PlannedDecider.wantsWrite(rescheduling, cluster.view())).as("the old pod").isFalse();
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        assertThat(PlannedDecider.wantsWrite(rescheduling, cluster.view())).isTrue();
    }
}
