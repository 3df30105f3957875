package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.failover.decide.PlannedAction.Annotate;
import io.pgwarden.failover.decide.PlannedAction.Cordon;
import io.pgwarden.failover.decide.PlannedAction.Uncordon;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.decide.PlannedCluster.KEY;
import static io.pgwarden.failover.decide.PlannedCluster.SETTINGS;
import static io.pgwarden.failover.decide.PlannedCluster.T0;
import static io.pgwarden.failover.decide.PlannedCluster.after;
import static org.assertj.core.api.Assertions.assertThat;

/** After a move of default/pg from node001 (cordoned by pgwarden) to node002. */
class FailbackDeciderTest {
    private final PlannedCluster cluster = new PlannedCluster();

    @BeforeEach
    void moved() {
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        cluster.cordon("node001", KEY);
        cluster.annotations.put(Names.MOVED_FROM_ANNOTATION, "node001");
    }

    private Decision<PlannedAction> decide(Operation op, FailbackDatabase command, Instant now) {
        return FailbackDecider.decide(op, command, cluster.view(), now, SETTINGS);
    }

    private static FailbackDatabase failback(boolean moveBack, boolean dryRun) {
        return new FailbackDatabase("default", "pg", moveBack, dryRun, null);
    }

    private static Map<String, String> cleared() {
        Map<String, String> clear = new HashMap<>();
        clear.put(Names.MOVED_FROM_ANNOTATION, null);
        return clear;
    }

    @Test
    void without_a_recorded_move_it_is_rejected() {
        cluster.annotations.clear();
        Decision<PlannedAction> d = decide(PlannedCluster.accepted("FailbackDatabase"), failback(false, false), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo("default/pg has no annotation pgwarden.io/moved-from: no move of pgwarden to"
                + " fail back (to put it on a node, move it with that target)");
    }

    @Test
    void it_uncordons_pgwarden_s_cordon_and_clears_the_record() {
        FailbackDatabase command = failback(false, false);
        Operation op = PlannedCluster.accepted("FailbackDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        assertThat(d.phase()).isEqualTo(FailbackDecider.UNCORDONING);
        assertThat(d.actions()).first().isEqualTo(new Uncordon("node001", KEY));
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = decide(op, command, T0);
        assertThat(d.phase()).isEqualTo(FailbackDecider.FAILED_BACK);
        assertThat(d.actions()).first().isEqualTo(new Annotate("default", "pg", cleared()));
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = decide(op, command, T0);
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("failed back default/pg: uncordoned node node001; cleared"
                + " pgwarden.io/moved-from");
    }

    @Test
    void a_node_an_administrator_cordoned_stays_cordoned_and_the_outcome_says_so() {
        cluster.cordon("node001", null);
        FailbackDatabase command = failback(false, false);
        Operation op = PlannedCluster.accepted("FailbackDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        assertThat(d.actions()).noneMatch(a -> a instanceof Uncordon);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = decide(op, command, T0);
        assertThat(d.outcome()).isEqualTo("failed back default/pg: node node001 is cordoned, not by pgwarden for"
                + " default/pg: left cordoned; cleared pgwarden.io/moved-from");
        assertThat(cluster.nodes.get("node001").unschedulable()).isTrue();
    }

    @Test
    void moving_back_onto_a_node_an_administrator_cordoned_is_rejected() {
        cluster.cordon("node001", null);
        Decision<PlannedAction> d = decide(PlannedCluster.accepted("FailbackDatabase"), failback(true, false), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo("cannot move default/pg back to node node001: it is cordoned, and not by"
                + " pgwarden (no pgwarden.io/cordoned-for=default/pg): uncordon it first, or fail back without moveBack");
    }

    @Test
    void a_dry_run_says_the_plan_and_changes_nothing() {
        Decision<PlannedAction> d = decide(PlannedCluster.accepted("FailbackDatabase"), failback(true, true), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.actions()).isEmpty();
        assertThat(d.outcome()).isEqualTo("dry run, nothing changed: uncordon node node001 (pgwarden cordoned it when"
                + " default/pg left it); then move default/pg back to node node001 (a move with that target: the other"
                + " schedulable nodes are cordoned by pgwarden until the new pod is bound); remove"
                + " pgwarden.io/moved-from from StatefulSet default/pg");
    }

    @Test
    void moving_back_uncordons_then_moves_with_that_target_lifting_every_temporary_cordon_and_clears_the_record() {
        FailbackDatabase command = failback(true, false);
        Operation op = PlannedCluster.accepted("FailbackDatabase");
        Decision<PlannedAction> d = decide(op, command, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = decide(op, command, T0);
        assertThat(d.phase()).isEqualTo(MoveDecider.CORDONING);
        assertThat(d.actions()).startsWith(new Cordon("node002", KEY), new Cordon("node003", KEY));
        op = after(op, d, T0);
        cluster.apply(d.actions());
        for (int i = 0; i < 2; i++) {
            d = decide(op, command, T0);
            op = after(op, d, T0);
            cluster.apply(d.actions());
        }
        assertThat(op.phase()).isEqualTo(MoveDecider.RESCHEDULING);
        cluster.pod = new PodSeen("pg-0", "uid-3", "node001", true, false);
        cluster.writeProblem = Optional.empty();
        d = decide(op, command, T0.plusSeconds(3));
        assertThat(d.phase()).isEqualTo(MoveDecider.MOVED);
        assertThat(d.actions()).contains(new Uncordon("node002", KEY), new Uncordon("node003", KEY),
                new Annotate("default", "pg", cleared()));
        op = after(op, d, T0.plusSeconds(3));
        cluster.apply(d.actions());

        d = decide(op, command, T0.plusSeconds(3));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("failed back default/pg: uncordoned node node001; moved default/pg from node"
                + " node002 to node node001; writes accepted 3000 ms after the request");
        assertThat(cluster.nodes.values()).noneMatch(n -> n.unschedulable());
        assertThat(cluster.annotations).doesNotContainKey(Names.MOVED_FROM_ANNOTATION);
    }
}
