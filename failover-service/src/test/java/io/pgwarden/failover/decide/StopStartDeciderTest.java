package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.failover.decide.PlannedAction.Annotate;
import io.pgwarden.failover.decide.PlannedAction.Scale;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.decide.PlannedCluster.SETTINGS;
import static io.pgwarden.failover.decide.PlannedCluster.T0;
import static io.pgwarden.failover.decide.PlannedCluster.after;
import static org.assertj.core.api.Assertions.assertThat;

class StopStartDeciderTest {
    private static final StopDatabase STOP = new StopDatabase("default", "pg", false, "disk swap");
    private static final StartDatabase START = new StartDatabase("default", "pg", false, null);
    private final PlannedCluster cluster = new PlannedCluster();

    private Decision<PlannedAction> stop(Operation op, StopDatabase command, java.time.Instant now) {
        return StopDecider.decide(op, command, cluster.view(), now, SETTINGS);
    }

    private Decision<PlannedAction> start(Operation op, StartDatabase command, java.time.Instant now) {
        return StartDecider.decide(op, command, cluster.view(), now, SETTINGS);
    }

    // ---- stop ----

    @Test
    void a_stop_records_the_count_and_the_node_scales_to_zero_and_waits_for_the_pod_and_the_volumes() {
        Operation op = PlannedCluster.accepted("StopDatabase");
        Decision<PlannedAction> d = stop(op, STOP, T0);
        assertThat(d.phase()).isEqualTo(StopDecider.STOPPING);
        assertThat(d.actions()).startsWith(new Annotate("default", "pg", PlannedCluster.stoppedAnnotations()),
                new Scale("default", "pg", 0));
        op = after(op, d, T0);
        cluster.apply(d.actions());
        cluster.attachments = List.of("csi-abc");

        d = stop(op, STOP, T0.plusSeconds(2));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 to stop on node node001, 2 s");
        cluster.pod = null;
        d = stop(op, STOP, T0.plusSeconds(3));
        assertThat(d.step()).isEqualTo("waiting for 1 volume attachments of default/pg to go (csi-abc), 3 s");
        cluster.attachments = List.of();
        d = stop(op, STOP, T0.plusSeconds(4));
        assertThat(d.phase()).isEqualTo(StopDecider.STOPPED);
        op = after(op, d, T0.plusSeconds(4));
        d = stop(op, STOP, T0.plusSeconds(4));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("stopped default/pg in 4000 ms: pod gone, volumes detached; start brings back"
                + " 1 replica");
    }

    @Test
    void a_stop_that_does_not_finish_in_time_fails_and_leaves_the_database_scaled_to_zero() {
        Operation op = PlannedCluster.accepted("StopDatabase");
        Decision<PlannedAction> d = stop(op, STOP, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = stop(op, STOP, T0.plusSeconds(91));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("default/pg not stopped within PT1M30S: still waiting for pod pg-0 to stop on"
                + " node node001; it stays scaled to 0, and start brings it back");
    }

    @Test
    void stopping_a_stopped_database_or_one_of_several_replicas_is_rejected_and_a_dry_run_changes_nothing() {
        cluster.replicas = 0;
        cluster.annotations.putAll(PlannedCluster.stoppedAnnotations());
        Decision<PlannedAction> d = stop(PlannedCluster.accepted("StopDatabase"), STOP, T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo("default/pg is stopped already (by pgwarden; start brings back 1 replica)");

        cluster.replicas = 2;
        cluster.annotations.clear();
        d = stop(PlannedCluster.accepted("StopDatabase"), STOP, T0);
        assertThat(d.outcome()).isEqualTo("default/pg has replicas 2, not 1: pgwarden stops only a single-primary"
                + " StatefulSet (replicas 1)");

        cluster.replicas = 1;
        d = stop(PlannedCluster.accepted("StopDatabase"), new StopDatabase("default", "pg", true, null), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.actions()).isEmpty();
        assertThat(d.outcome()).isEqualTo("dry run, nothing changed: stop default/pg: record"
                + " pgwarden.io/stopped-replicas=1 and pgwarden.io/stopped-on=node001 on the StatefulSet, scale it to"
                + " 0, wait until pod pg-0 is gone and its volumes are detached (up to PT1M30S)");
    }

    // ---- start ----

    @Test
    void a_start_scales_back_waits_for_ready_and_a_write_then_removes_the_record() {
        cluster.replicas = 0;
        cluster.annotations.putAll(PlannedCluster.stoppedAnnotations());
        cluster.pod = null;
        Operation op = PlannedCluster.accepted("StartDatabase");
        Decision<PlannedAction> d = start(op, START, T0);
        assertThat(d.phase()).isEqualTo(StartDecider.STARTING);
        assertThat(d.actions()).first().isEqualTo(new Scale("default", "pg", 1));
        op = after(op, d, T0);
        cluster.apply(d.actions());

        d = start(op, START, T0.plusSeconds(1));
        assertThat(d.step()).isEqualTo("waiting for the StatefulSet to create pod pg-0, 1 s");
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", false, false);
        d = start(op, START, T0.plusSeconds(4));
        assertThat(d.step()).isEqualTo("waiting for pod pg-0 Ready on node node002, 4 s");
        cluster.pod = new PodSeen("pg-0", "uid-2", "node002", true, false);
        assertThat(PlannedDecider.wantsWrite(op, cluster.view())).isTrue();
        cluster.writeProblem = Optional.empty();
        d = start(op, START, T0.plusSeconds(5));
        assertThat(d.phase()).isEqualTo(StartDecider.STARTED);
        Map<String, String> clear = new HashMap<>();
        clear.put(Names.STOPPED_REPLICAS_ANNOTATION, null);
        clear.put(Names.STOPPED_ON_ANNOTATION, null);
        assertThat(d.actions()).first().isEqualTo(new Annotate("default", "pg", clear));
        op = after(op, d, T0.plusSeconds(5));
        d = start(op, START, T0.plusSeconds(5));
        assertThat(d.next()).as("the annotations are still there").isEqualTo(Decision.Next.WAIT);
        cluster.apply(d.actions());
        d = start(op, START, T0.plusSeconds(5));
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.outcome()).isEqualTo("started default/pg on node node002; writes accepted 5000 ms after the"
                + " request");
    }

    @Test
    void a_start_not_ready_in_time_fails() {
        cluster.replicas = 0;
        cluster.pod = null;
        Operation op = PlannedCluster.accepted("StartDatabase");
        Decision<PlannedAction> d = start(op, START, T0);
        op = after(op, d, T0);
        cluster.apply(d.actions());
        d = start(op, START, T0.plusSeconds(121));
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("default/pg not started within PT2M: still waiting for the StatefulSet to"
                + " create pod pg-0; it stays scaled to 1");
    }

    @Test
    void starting_a_running_database_or_a_bad_record_is_rejected_and_a_dry_run_changes_nothing() {
        Decision<PlannedAction> d = start(PlannedCluster.accepted("StartDatabase"), START, T0);
        assertThat(d.next()).isEqualTo(Decision.Next.REJECT);
        assertThat(d.outcome()).isEqualTo("default/pg is running (replicas 1): nothing to start");

        cluster.replicas = 0;
        cluster.annotations.put(Names.STOPPED_REPLICAS_ANNOTATION, "one");
        d = start(PlannedCluster.accepted("StartDatabase"), START, T0);
        assertThat(d.outcome()).isEqualTo("StatefulSet default/pg has pgwarden.io/stopped-replicas=one, not a replica"
                + " count: correct or remove it");

        cluster.annotations.put(Names.STOPPED_REPLICAS_ANNOTATION, "1");
        d = start(PlannedCluster.accepted("StartDatabase"), new StartDatabase("default", "pg", true, null), T0);
        assertThat(d.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(d.actions()).isEmpty();
        assertThat(d.outcome()).startsWith("dry run, nothing changed: start default/pg: scale it to 1 (recorded by its"
                + " stop)");
    }
}
