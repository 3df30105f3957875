package io.pgwarden.failover.decide;

import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.failover.decide.IncidentAction.Fence;
import io.pgwarden.failover.decide.IncidentAction.ForceDeletePod;
import io.pgwarden.failover.decide.IncidentAction.ReleaseLock;
import io.pgwarden.failover.decide.IncidentAction.TaintOutOfService;
import io.pgwarden.failover.decide.IncidentAction.TakeLock;
import io.pgwarden.failover.decide.IncidentAction.Unfence;
import io.pgwarden.failover.decide.IncidentView.DatabaseSeen;
import io.pgwarden.failover.decide.IncidentView.Lock;
import io.pgwarden.failover.decide.IncidentView.PodSeen;
import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.failover.decide.IncidentDecider.*;
import static org.assertj.core.api.Assertions.assertThat;

class IncidentDeciderTest {
    static final Instant LEASE = Instant.parse("2026-11-26T10:00:00Z");
    static final Instant SUSPECTED_AT = LEASE.plusSeconds(15);
    static final NodeIncident INCIDENT = new NodeIncident("node001", SUSPECTED_AT, LEASE);
    static final IncidentSettings SETTINGS = new IncidentSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
            Duration.ofMinutes(2), Duration.ofMinutes(10), 0.49, 0, Duration.ofSeconds(6), 3, Duration.ofMinutes(10),
            Duration.ofSeconds(150), Duration.ofMillis(500), true);
    static final PodSeen OLD_POD = new PodSeen("pg-0", "uid-old", "node001", false);
    static final PodSeen NEW_POD = new PodSeen("pg-0", "uid-new", "node002", true);

    // ---- a world, changed by withers ----

    record World(Instant lease, Optional<NodeLiveness> liveness, Optional<String> power, boolean excluded,
                 Optional<String> paused, int unhealthy, int known, Instant watcherHeard, int recentFences,
                 Optional<String> driver, FenceStatus fence, boolean taintFences, List<DatabaseSeen> dbs,
                 Map<String, Instant> renewals) {
        IncidentView view() {
            return new IncidentView(new IncidentView.NodeSeen("node001", true, lease, liveness, power, excluded, false,
                    Optional.of(Duration.ofSeconds(20))),
                    new IncidentView.Rails(paused, unhealthy, known, Optional.ofNullable(watcherHeard), recentFences,
                            renewals),
                    new IncidentView.FenceSeen(driver, driver.isEmpty() ? Optional.of("no fence driver configured")
                            : Optional.empty(), fence, taintFences), dbs);
        }
    }

    static World world(Instant now) {
        return new World(LEASE, Optional.of(NodeLiveness.SUSPECT), Optional.empty(), false, Optional.empty(), 1, 3,
                now.minusSeconds(1), 0, Optional.of("redfish"), FenceStatus.of(FenceStatus.State.NOT_FENCED, "not asked"),
                false, List.of(db(Optional.of(OLD_POD), Optional.of(OLD_POD), 1, Lock.free(), Optional.empty())), Map.of());
    }

    static DatabaseSeen db(Optional<PodSeen> onNode, Optional<PodSeen> current, int attached, Lock lock,
                           Optional<IncidentView.WriteCheck> write) {
        return new DatabaseSeen("default", "pg", 1, false, onNode, current, attachments(attached), lock, write, false);
    }

    static List<String> attachments(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> "csi-va-" + i).toList();
    }

    static Operation op(String phase, Map<String, String> data) {
        return new Operation("incident-node001-1", 1, "NodeIncident", "node001", null, "c", null, phase, data,
                CommandState.RUNNING, null, null, 0, SUSPECTED_AT, null, null, null, 1, SUSPECTED_AT, SUSPECTED_AT);
    }

    static Map<String, String> confirmedData() {
        Map<String, String> data = new HashMap<>();
        data.put(AT + SUSPECTED, SUSPECTED_AT.toString());
        data.put(AT + CONFIRMED, SUSPECTED_AT.plusSeconds(5).toString());
        data.put(DATABASES, "default/pg");
        data.put(POD + "default/pg", "pg-0/uid-old");
        return data;
    }

    static Map<String, String> fencingData(Instant at) {
        Map<String, String> data = confirmedData();
        data.put(AT + FENCING, at.toString());
        data.put(FENCE_DRIVER, "redfish");
        data.put(FENCE_ATTEMPTS, "1");
        data.put(FENCE_ASKED_AT, at.toString());
        return data;
    }

    static Decision<IncidentAction> decide(String phase, Map<String, String> data, World w, Instant now) {
        return IncidentDecider.decide(op(phase, data), INCIDENT, w.view(), now, SETTINGS);
    }

    static Map<String, String> suspectedData() {
        return new HashMap<>(Map.of(AT + SUSPECTED, SUSPECTED_AT.toString()));
    }

    // ---- suspected ----

    @Test
    void a_new_incident_is_suspected_from_the_moment_the_watcher_saw_it() {
        Instant now = SUSPECTED_AT.plusMillis(40);
        Decision<IncidentAction> d = decide(Operation.START, Map.of(), world(now), now);
        assertThat(d.phase()).isEqualTo(SUSPECTED);
        assertThat(d.data()).containsEntry(AT + SUSPECTED, SUSPECTED_AT.toString());
        assertThat(d.activities()).extracting(a -> a.action()).containsExactly("IncidentSuspected");
    }

    @Test
    void a_suspect_node_is_confirmed_only_after_the_confirmation_time() {
        Instant early = SUSPECTED_AT.plusSeconds(2);
        Decision<IncidentAction> waiting = decide(SUSPECTED, suspectedData(), world(early), early);
        assertThat(waiting.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(waiting.recheck()).isEqualTo(Duration.ofSeconds(3));

        Instant due = SUSPECTED_AT.plusSeconds(5);
        Decision<IncidentAction> confirmed = decide(SUSPECTED, suspectedData(), world(due), due);
        assertThat(confirmed.phase()).isEqualTo(CONFIRMED);
        assertThat(confirmed.data()).containsEntry(DATABASES, "default/pg").containsEntry(POD + "default/pg",
                "pg-0/uid-old");
    }

    @Test
    void the_bmc_reporting_power_off_confirms_at_once() {
        Instant now = SUSPECTED_AT.plusMillis(100);
        World w = world(now);
        w = new World(w.lease(), w.liveness(), Optional.of("Off"), false, w.paused(), 1, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(SUSPECTED, suspectedData(), w, now);
        assertThat(d.phase()).isEqualTo(CONFIRMED);
        assertThat(d.step()).contains("PowerState Off");
    }

    @Test
    void a_renewed_lease_aborts_a_suspected_incident() {
        Instant now = SUSPECTED_AT.plusSeconds(3);
        World w = world(now);
        w = new World(LEASE.plusSeconds(16), w.liveness(), w.power(), false, w.paused(), 1, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(SUSPECTED, suspectedData(), w, now);
        assertThat(d.phase()).isEqualTo(ABORTED);
        assertThat(d.step()).contains("came back", "renewed");
        assertThat(d.actions()).noneMatch(a -> a instanceof Fence || a instanceof ForceDeletePod);

        Decision<IncidentAction> end = decide(ABORTED, d.data(), w, now);
        assertThat(end.next()).isEqualTo(Decision.Next.SUCCEED);
    }

    @Test
    void databases_opted_out_or_not_single_replica_are_left_alone_and_said_so() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        List<DatabaseSeen> dbs = List.of(
                new DatabaseSeen("default", "off", 1, true, Optional.of(OLD_POD), Optional.of(OLD_POD), attachments(1), Lock.free(),
                        Optional.empty(), false),
                new DatabaseSeen("default", "three", 3, false, Optional.of(OLD_POD), Optional.of(OLD_POD), attachments(1),
                        Lock.free(), Optional.empty(), false));
        w = new World(w.lease(), w.liveness(), w.power(), false, w.paused(), 1, 3, w.watcherHeard(), 0, w.driver(),
                w.fence(), false, dbs, Map.of());
        Decision<IncidentAction> d = decide(SUSPECTED, suspectedData(), w, now);
        assertThat(d.phase()).isEqualTo(ABORTED);
        assertThat(d.step()).contains("default/off (pgwarden.io/failover: disabled)", "default/three (replicas 3, not 1)");
    }

    @Test
    void a_database_pgwarden_stopped_on_the_node_is_left_alone_and_the_incident_says_it_is_stopped() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        List<DatabaseSeen> dbs = List.of(new DatabaseSeen("default", "pg", 0, false, Optional.empty(), Optional.empty(),
                List.of(), Lock.free(), Optional.empty(), true));
        w = new World(w.lease(), w.liveness(), w.power(), false, w.paused(), 1, 3, w.watcherHeard(), 0, w.driver(),
                w.fence(), false, dbs, Map.of());
        Decision<IncidentAction> d = decide(SUSPECTED, suspectedData(), w, now);
        assertThat(d.phase()).isEqualTo(ABORTED);
        assertThat(d.step()).isEqualTo("nothing to release: no managed database with failover enabled and one replica"
                + " has a pod on node node001; left alone: default/pg (stopped by pgwarden (planned outage))");
        assertThat(d.actions()).noneMatch(a -> a instanceof Fence || a instanceof ForceDeletePod);
    }

    // ---- the rails, in order ----

    @Test
    void paused_failover_waits_before_anything_else() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        w = new World(w.lease(), w.liveness(), w.power(), true, Optional.of("paused by ops"), 3, 3, null, 9,
                Optional.empty(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).contains("paused by ops");
    }

    @Test
    void an_excluded_node_is_never_fenced() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        w = new World(w.lease(), w.liveness(), w.power(), true, Optional.empty(), 1, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.phase()).isEqualTo(ABORTED);
        assertThat(d.step()).contains("excluded");
        assertThat(d.actions()).noneMatch(a -> a instanceof Fence);
    }

    @Test
    void two_of_three_nodes_down_is_a_storm_and_nothing_is_fenced() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        w = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 2, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).contains("storm guard", "2 of 3");
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void a_node_confirmed_at_once_is_not_fenced_while_a_storm_may_still_be_surfacing() {
        Instant now = SUSPECTED_AT.plusSeconds(1);
        Map<String, String> data = confirmedData();
        data.put(AT + CONFIRMED, SUSPECTED_AT.plusMillis(100).toString());
        // the other two nodes last renewed before node001 can have died (its renewal due at LEASE + 5.2 s: a quarter
        // of its 20 s lease, 4 % jitter)
        World unheard = withRenewals(mine(world(now)), Map.of("node002", LEASE.plusSeconds(5),
                "node003", LEASE.plusSeconds(2)));
        Decision<IncidentAction> settling = decide(CONFIRMED, data, unheard, now);
        assertThat(settling.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(settling.step()).contains("storm guard", "2 other nodes not heard from since " + LEASE.plusMillis(5_200),
                "fencing nothing before " + SUSPECTED_AT.plusSeconds(6), "1 of 3");
        assertThat(settling.actions()).isEmpty();

        // the second node of the storm goes stale a renewal later: the storm is seen before anything was fenced
        Instant later = SUSPECTED_AT.plusSeconds(7);
        World storm = new World(unheard.lease(), unheard.liveness(), unheard.power(), false, Optional.empty(), 2, 3,
                later.minusSeconds(1), 0, unheard.driver(), unheard.fence(), false, unheard.dbs(), Map.of());
        Decision<IncidentAction> held = decide(CONFIRMED, data, storm, later);
        assertThat(held.step()).contains("storm guard", "2 of 3", "unhealthy at once");
        assertThat(held.actions()).isEmpty();

        // alone after the settle time: fenced
        assertThat(decide(CONFIRMED, data, mine(world(later)), later).actions())
                .hasAtLeastOneElementOfType(Fence.class);
    }

    @Test
    void nodes_heard_from_after_this_one_died_end_the_storm_wait_early_but_one_unheard_of_three_does_not() {
        Instant now = SUSPECTED_AT.plusSeconds(1);
        Map<String, String> data = confirmedData();
        World heard = withRenewals(mine(world(now)), Map.of("node002", LEASE.plusSeconds(7),
                "node003", LEASE.plusSeconds(14)));
        Decision<IncidentAction> fenced = decide(CONFIRMED, data, heard, now);
        assertThat(fenced.actions()).hasAtLeastOneElementOfType(Fence.class);
        assertThat(fenced.data()).containsEntry(STORM_SETTLED_AT, now.toString());

        World oneUnheard = withRenewals(mine(world(now)), Map.of("node002", LEASE.plusSeconds(7),
                "node003", LEASE.plusSeconds(5)));
        Decision<IncidentAction> d = decide(CONFIRMED, data, oneUnheard, now);
        assertThat(d.step()).contains("1 other nodes not heard from");
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void a_busy_database_makes_the_incident_wait_saying_for_whom() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = world(now);
        w = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, List.of(db(Optional.of(OLD_POD), Optional.of(OLD_POD), 1,
                Lock.busy("RestoreBackup r1 of backup-service"), Optional.empty())), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).contains("default/pg is busy with RestoreBackup r1");
    }

    @Test
    void free_locks_are_taken_before_the_fence() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), world(now), now);
        assertThat(d.phase()).isEqualTo(CONFIRMED);
        assertThat(d.actions()).containsExactly(new TakeLock("default", "pg"));
    }

    @Test
    void the_fence_rate_limit_and_a_stale_watcher_make_it_wait() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = mine(world(now));
        World limited = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(),
                3, w.driver(), w.fence(), false, w.dbs(), Map.of());
        assertThat(decide(CONFIRMED, confirmedData(), limited, now).step()).contains("fence rate limit");
        World stale = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3,
                now.minusSeconds(151), 0, w.driver(), w.fence(), false, w.dbs(), Map.of());
        assertThat(decide(CONFIRMED, confirmedData(), stale, now).step()).contains("node-watcher's view is stale");
    }

    @Test
    void without_a_fence_driver_the_incident_fails_and_releases_nothing() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = mine(world(now));
        w = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(), 0,
                Optional.empty(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.phase()).isEqualTo(FAILED);
        assertThat(d.step()).contains("no fence driver configured", "nothing was released");
        assertThat(d.actions()).contains(new ReleaseLock("default", "pg")).noneMatch(a -> a instanceof ForceDeletePod);
        assertThat(d.activities()).extracting(a -> a.action()).contains("FailoverAlert");
    }

    @Test
    void with_every_rail_clear_the_node_is_fenced() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), mine(world(now)), now);
        assertThat(d.phase()).isEqualTo(FENCING);
        assertThat(d.actions()).contains(new Fence("node001", "redfish"))
                .noneMatch(a -> a instanceof TaintOutOfService || a instanceof ForceDeletePod);
    }

    @Test
    void a_driver_whose_taint_is_the_fence_gets_the_taint_with_the_fence() {
        Instant now = SUSPECTED_AT.plusSeconds(6);
        World w = mine(world(now));
        w = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(), 0,
                Optional.of("ceph-csi-taint"), w.fence(), true, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(CONFIRMED, confirmedData(), w, now);
        assertThat(d.actions()).contains(new TaintOutOfService("node001"), new Fence("node001", "ceph-csi-taint"));
    }

    // ---- fencing ----

    @Test
    void a_pending_fence_waits_and_a_confirmed_one_is_released_in_the_same_turn() {
        Instant at = SUSPECTED_AT.plusSeconds(6);
        Instant now = at.plusSeconds(2);
        World pending = withFence(mine(world(now)), FenceStatus.State.PENDING);
        assertThat(decide(FENCING, fencingData(at), pending, now).next()).isEqualTo(Decision.Next.WAIT);

        World fenced = withFence(mine(world(now)), FenceStatus.State.FENCED);
        Decision<IncidentAction> d = decide(FENCING, fencingData(at), fenced, now);
        assertThat(d.phase()).isEqualTo(RELEASING);
        assertThat(d.data()).containsEntry(AT + FENCED, now.toString()).containsEntry(AT + RELEASING, now.toString());
        assertThat(d.activities()).extracting(a -> a.action())
                .containsExactly("IncidentFenced", "IncidentReleasing");
        assertThat(d.actions().get(0)).isEqualTo(new TaintOutOfService("node001"));
        assertThat(d.actions().get(1)).isEqualTo(new ForceDeletePod("default", "pg-0", "uid-old"));
    }

    @Test
    void a_node_that_comes_back_before_the_fence_is_confirmed_aborts_and_the_fence_is_lifted() {
        Instant at = SUSPECTED_AT.plusSeconds(6);
        Instant now = at.plusSeconds(1);
        World w = withFence(mine(world(now)), FenceStatus.State.PENDING);
        w = new World(LEASE.plusSeconds(20), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(),
                0, w.driver(), w.fence(), false, w.dbs(), Map.of());
        Decision<IncidentAction> d = decide(FENCING, fencingData(at), w, now);
        assertThat(d.phase()).isEqualTo(ABORTED);
        assertThat(d.actions()).contains(new Unfence("node001", "redfish"), new ReleaseLock("default", "pg"));
    }

    @Test
    void a_failing_fence_is_retried_then_the_incident_fails_with_the_reason() {
        Instant at = SUSPECTED_AT.plusSeconds(6);
        Instant now = at.plusSeconds(1);
        World failing = withFence(mine(world(now)), FenceStatus.State.FAILED);
        Decision<IncidentAction> retry = decide(FENCING, fencingData(at), failing, now);
        assertThat(retry.actions()).containsExactly(new Fence("node001", "redfish"));
        assertThat(retry.data()).containsEntry(FENCE_ATTEMPTS, "2");

        Map<String, String> third = fencingData(at);
        third.put(FENCE_ATTEMPTS, "3");
        Decision<IncidentAction> failed = decide(FENCING, third, failing, now);
        assertThat(failed.phase()).isEqualTo(FAILED);
        assertThat(failed.step()).contains("failed: agent says no", "after 3 attempts", "nothing was released");
        assertThat(failed.actions()).noneMatch(a -> a instanceof ForceDeletePod || a instanceof TaintOutOfService);
    }

    @Test
    void a_fence_not_confirmed_in_time_is_asked_again() {
        Instant at = SUSPECTED_AT.plusSeconds(6);
        Instant now = at.plusSeconds(31);
        Decision<IncidentAction> d = decide(FENCING, fencingData(at), withFence(mine(world(now)),
                FenceStatus.State.PENDING), now);
        assertThat(d.step()).contains("again", "not confirmed within PT30S");
    }

    // ---- release ----

    @Test
    void release_taints_and_force_deletes_the_pod_the_incident_saw_by_its_uid() {
        Instant now = SUSPECTED_AT.plusSeconds(8);
        Map<String, String> data = fencingData(now);
        data.put(AT + FENCED, now.toString());
        Decision<IncidentAction> d = decide(FENCED, data, withFence(mine(world(now)), FenceStatus.State.FENCED), now);
        assertThat(d.phase()).isEqualTo(RELEASING);
        assertThat(d.actions()).containsSubsequence(new TaintOutOfService("node001"),
                new ForceDeletePod("default", "pg-0", "uid-old"));
    }

    @Test
    void a_pod_that_is_not_the_one_the_incident_saw_is_not_deleted() {
        Instant now = SUSPECTED_AT.plusSeconds(8);
        Map<String, String> data = fencingData(now);
        PodSeen other = new PodSeen("pg-0", "uid-other", "node001", false);
        World w = withFence(mine(world(now)), FenceStatus.State.FENCED);
        w = new World(w.lease(), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(), 0,
                w.driver(), w.fence(), false, List.of(db(Optional.of(other), Optional.of(other), 0, Lock.mine(),
                Optional.empty())), Map.of());
        Decision<IncidentAction> d = decide(FENCED, data, w, now);
        assertThat(d.actions()).noneMatch(a -> a instanceof ForceDeletePod);
    }

    @ParameterizedTest
    @EnumSource(value = FenceStatus.State.class, names = {"NOT_FENCED", "PENDING", "FAILED"})
    void nothing_is_released_unless_the_fence_is_confirmed_in_the_same_observation(FenceStatus.State state) {
        Instant now = SUSPECTED_AT.plusSeconds(8);
        for (String phase : List.of(FENCED, RELEASING)) {
            Map<String, String> data = fencingData(now);
            data.put(AT + FENCED, now.toString());
            data.put(AT + RELEASING, now.toString());
            Decision<IncidentAction> d = decide(phase, data, withFence(mine(world(now)), state), now);
            assertThat(d.actions()).as(phase).noneMatch(a -> a instanceof ForceDeletePod || a instanceof TaintOutOfService);
            assertThat(d.phase()).as(phase).isEqualTo(FAILED);
        }
    }

    @Test
    void a_node_back_after_the_fence_but_before_any_release_gets_its_fence_lifted() {
        Instant now = SUSPECTED_AT.plusSeconds(8);
        World w = withFence(mine(world(now)), FenceStatus.State.FENCED);
        w = new World(LEASE.plusSeconds(30), w.liveness(), w.power(), false, Optional.empty(), 1, 3, w.watcherHeard(),
                0, w.driver(), w.fence(), false, w.dbs(), Map.of());
        for (String phase : List.of(FENCING, FENCED)) {
            Decision<IncidentAction> d = decide(phase, fencingData(now), w, now);
            assertThat(d.phase()).as(phase).isEqualTo(ABORTED);
            assertThat(d.actions()).as(phase).contains(new Unfence("node001", "redfish"))
                    .noneMatch(a -> a instanceof ForceDeletePod || a instanceof TaintOutOfService);
        }
    }

    @Test
    void release_waits_for_the_volumes_to_detach_then_recovers() {
        Instant now = SUSPECTED_AT.plusSeconds(9);
        Map<String, String> data = fencingData(now);
        data.put(AT + RELEASING, now.toString());
        World attached = withFence(mine(world(now)), FenceStatus.State.FENCED);
        attached = new World(attached.lease(), attached.liveness(), attached.power(), false, Optional.empty(), 1, 3,
                attached.watcherHeard(), 0, attached.driver(), attached.fence(), false,
                List.of(db(Optional.empty(), Optional.empty(), 1, Lock.mine(), Optional.empty())), Map.of());
        Decision<IncidentAction> waiting = decide(RELEASING, data, attached, now);
        assertThat(waiting.step()).contains("1 volumes to detach");
        World detached = new World(attached.lease(), attached.liveness(), attached.power(), false, Optional.empty(), 1,
                3, attached.watcherHeard(), 0, attached.driver(), attached.fence(), false,
                List.of(db(Optional.empty(), Optional.empty(), 0, Lock.mine(), Optional.empty())), Map.of());
        assertThat(decide(RELEASING, data, detached, now).phase()).isEqualTo(RECOVERING);
    }

    @Test
    void without_the_out_of_service_taint_the_fenced_nodes_volume_attachments_are_deleted_after_the_pods() {
        IncidentSettings older = new IncidentSettings(SETTINGS.confirmAfter(), SETTINGS.fenceTimeout(),
                SETTINGS.fenceAttempts(), SETTINGS.releaseTimeout(), SETTINGS.recoveryTimeout(), SETTINGS.stormMaxShare(),
                SETTINGS.stormMaxNodes(), SETTINGS.stormSettle(), SETTINGS.fenceRateMax(), SETTINGS.fenceRateWindow(),
                SETTINGS.watcherStaleAfter(), SETTINGS.poll(), false);
        Instant now = SUSPECTED_AT.plusSeconds(9);
        Map<String, String> data = fencingData(now);
        World fenced = withFence(mine(world(now)), FenceStatus.State.FENCED);
        Decision<IncidentAction> release = IncidentDecider.decide(op(FENCED, data), INCIDENT, fenced.view(), now, older);
        assertThat(release.actions()).noneMatch(a -> a instanceof TaintOutOfService)
                .contains(new ForceDeletePod("default", "pg-0", "uid-old"));

        data.put(AT + RELEASING, now.toString());
        World podGone = withDb(fenced, db(Optional.empty(), Optional.empty(), 1, Lock.mine(), Optional.empty()));
        Decision<IncidentAction> detach = IncidentDecider.decide(op(RELEASING, data), INCIDENT, podGone.view(), now,
                older);
        assertThat(detach.actions()).containsExactly(new IncidentAction.DeleteVolumeAttachment("csi-va-0"));
        assertThat(IncidentDecider.decide(op(RELEASING, data), INCIDENT, podGone.view(), now, SETTINGS).actions())
                .as("with the taint, the attach/detach controller detaches").isEmpty();
    }

    // ---- recovery ----

    @ParameterizedTest
    @ValueSource(strings = {"no pod", "not ready", "write fails"})
    void recovery_waits_for_a_new_ready_pod_that_accepts_a_write(String what) {
        Instant now = SUSPECTED_AT.plusSeconds(12);
        Map<String, String> data = fencingData(now);
        data.put(AT + RELEASING, now.toString());
        Optional<PodSeen> pod = switch (what) {
            case "no pod" -> Optional.empty();
            case "not ready" -> Optional.of(new PodSeen("pg-0", "uid-new", "node002", false));
            default -> Optional.of(NEW_POD);
        };
        Optional<IncidentView.WriteCheck> write = what.equals("write fails")
                ? Optional.of(new IncidentView.WriteCheck(Optional.of("read-only"))) : Optional.empty();
        World w = withDb(mine(world(now)), db(Optional.empty(), pod, 0, Lock.mine(), write));
        Decision<IncidentAction> d = decide(RECOVERING, data, w, now);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).noneMatch(a -> a instanceof ReleaseLock);
    }

    @Test
    void recovered_when_the_new_pod_accepts_a_write_then_the_lock_is_given_back() {
        Instant now = SUSPECTED_AT.plusSeconds(12);
        Map<String, String> data = fencingData(now);
        data.put(AT + RELEASING, now.toString());
        World w = withDb(mine(world(now)), db(Optional.empty(), Optional.of(NEW_POD), 0, Lock.mine(),
                Optional.of(new IncidentView.WriteCheck(Optional.empty()))));
        Decision<IncidentAction> d = decide(RECOVERING, data, w, now);
        assertThat(d.phase()).isEqualTo(RECOVERED);
        assertThat(d.actions()).contains(new ReleaseLock("default", "pg"));
        assertThat(d.step()).contains("12000 ms");

        World released = withDb(w, db(Optional.empty(), Optional.of(NEW_POD), 0, Lock.free(), Optional.empty()));
        assertThat(decide(RECOVERED, d.data(), released, now).next()).isEqualTo(Decision.Next.SUCCEED);
    }

    @Test
    void recovery_that_takes_too_long_fails_and_the_node_stays_fenced() {
        Instant now = SUSPECTED_AT.plusSeconds(700);
        Map<String, String> data = fencingData(SUSPECTED_AT);
        data.put(AT + RELEASING, SUSPECTED_AT.plusSeconds(10).toString());
        Decision<IncidentAction> d = decide(RECOVERING, data, withDb(mine(world(now)), db(Optional.empty(),
                Optional.empty(), 0, Lock.mine(), Optional.empty())), now);
        assertThat(d.phase()).isEqualTo(FAILED);
        assertThat(d.step()).contains("stays fenced");
        assertThat(d.actions()).noneMatch(a -> a instanceof Unfence);
    }

    // ---- helpers ----

    static World mine(World w) {
        return withDb(w, db(w.dbs().get(0).podOnNode(), w.dbs().get(0).current(), w.dbs().get(0).attachmentsOnNode().size(),
                Lock.mine(), Optional.empty()));
    }

    static World withRenewals(World w, Map<String, Instant> renewals) {
        return new World(w.lease(), w.liveness(), w.power(), w.excluded(), w.paused(), w.unhealthy(), w.known(),
                w.watcherHeard(), w.recentFences(), w.driver(), w.fence(), w.taintFences(), w.dbs(), renewals);
    }

    static World withDb(World w, DatabaseSeen db) {
        return new World(w.lease(), w.liveness(), w.power(), w.excluded(), w.paused(), w.unhealthy(), w.known(),
                w.watcherHeard(), w.recentFences(), w.driver(), w.fence(), w.taintFences(), List.of(db), w.renewals());
    }

    static World withFence(World w, FenceStatus.State state) {
        return new World(w.lease(), w.liveness(), w.power(), w.excluded(), w.paused(), w.unhealthy(), w.known(),
                w.watcherHeard(), w.recentFences(), w.driver(),
                FenceStatus.of(state, state == FenceStatus.State.FAILED ? "agent says no" : state.name()),
                w.taintFences(), w.dbs(), Map.of());
    }
}
