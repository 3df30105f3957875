package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.SUSPECT;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static io.pgwarden.contracts.event.NodeReadiness.READY;
import static io.pgwarden.contracts.event.NodeReadiness.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The tracker with a real publisher behind it (its change filter decides what is news), on a hand-moved clock: what
 * reaches the broker as leases renew or stop, BMCs answer and node-watcher loses and regains the API server.
 */
class LivenessTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration THRESHOLD = Duration.ofSeconds(15);
    private static final String BMC = "http://bmc.example/redfish/v1/Systems/1";

    private final TestClock clock = new TestClock(T0);
    private final List<NodeHealthChanged> sent = new ArrayList<>();
    private final List<String> turnedStale = new ArrayList<>();
    private final HealthPublisher<NodeHealthChanged> publisher = new HealthPublisher<>("node",
            (key, event) -> sent.add(event), new HealthPublisher.Runner() {
        @Override
        public void run(Runnable task) {
            task.run();
        }

        @Override
        public void runAfter(Duration delay, Runnable task) {
            throw new AssertionError("no send fails here");
        }
    }, clock, () -> true, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)), Duration.ofMinutes(5));
    private final LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(), PowerPoll.STALE_NODES, Duration.ofSeconds(5)), clock,
            publisher::offer, turnedStale::add);

    @Test
    void nothing_is_published_before_node_watcher_first_sees_the_api_server() {
        tracker.nodeObserved(node("node001", READY), false, "1");
        tracker.leaseObserved("node001", T0, 40);
        tracker.check(false, "its watch of nodes or node leases is down");
        assertThat(sent).isEmpty();

        tracker.check(true, null);
        assertThat(sent).singleElement().satisfies(e -> {
            assertThat(e.liveness()).isEqualTo(ALIVE);
            assertThat(e.livenessReason()).isEqualTo("lease renewed within 15 s");
            assertThat(e.leaseRenewedAt()).isEqualTo(T0);
            assertThat(e.leaseAgeMillis()).isZero();
            assertThat(e.resourceVersion()).isEqualTo("1");
        });
    }

    @Test
    void a_renewal_alone_publishes_nothing_and_the_lease_age_is_taken_when_an_event_is_built() {
        seeing("node001");
        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofSeconds(10));
            tracker.leaseObserved("node001", T0.plusSeconds(10L * i), 40);
            tracker.check(true, null);
        }
        assertThat(sent).hasSize(1);

        clock.advance(Duration.ofSeconds(3));
        tracker.nodeObserved(new NodeFacts("node001", READY, null, true, List.of(), BMC), false, "2");
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).leaseRenewedAt()).isEqualTo(T0.plusSeconds(50));
        assertThat(sent.get(1).leaseAgeMillis()).isEqualTo(3000);
    }

    @Test
    void a_silent_node_is_suspect_then_unreachable_when_its_bmc_says_off_and_alive_again_when_it_renews() {
        seeing("node001");
        clock.advance(THRESHOLD);
        tracker.check(true, null);
        assertThat(sent).hasSize(1);
        assertThat(turnedStale).isEmpty();

        clock.advance(Duration.ofMillis(1));
        tracker.check(true, null);
        assertThat(last().liveness()).isEqualTo(SUSPECT);
        assertThat(turnedStale).containsExactly("node001");
        assertThat(tracker.bmcsToPoll()).isEqualTo(Map.of("node001", BMC));

        tracker.powerRead("node001", "Off");
        assertThat(last().liveness()).isEqualTo(UNREACHABLE);
        assertThat(last().powerState()).isEqualTo("Off");
        assertThat(last().livenessReason()).isEqualTo("lease not renewed for more than 15 s; BMC reports PowerState Off");

        clock.advance(Duration.ofSeconds(30));
        tracker.check(true, null);
        int before = sent.size();
        tracker.leaseObserved("node001", clock.instant(), 40);
        assertThat(sent).hasSize(before + 1);
        assertThat(last().liveness()).as("recovered").isEqualTo(ALIVE);
        assertThat(last().powerState()).as("read only while not ALIVE").isNull();
        assertThat(tracker.bmcsToPoll()).isEmpty();
        assertThat(sent).extracting(NodeHealthChanged::liveness).containsExactly(ALIVE, SUSPECT, UNREACHABLE, ALIVE);
        assertThat(tracker.transitions(ALIVE, SUSPECT)).isEqualTo(1);
        assertThat(tracker.transitions(SUSPECT, UNREACHABLE)).isEqualTo(1);
        assertThat(tracker.transitions(UNREACHABLE, ALIVE)).isEqualTo(1);
        assertThat(tracker.count(ALIVE)).isEqualTo(1);
    }

    @Test
    void a_silent_node_the_node_controller_calls_unknown_is_unreachable_without_a_bmc() {
        tracker.nodeObserved(new NodeFacts("node002", READY, null, false, List.of(), null), false, "1");
        tracker.leaseObserved("node002", T0, 40);
        tracker.check(true, null);
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        assertThat(last().liveness()).isEqualTo(SUSPECT);
        assertThat(tracker.bmcsToPoll()).as("no BMC to read").isEmpty();

        tracker.nodeObserved(new NodeFacts("node002", UNKNOWN, "NodeStatusUnknown", false, List.of(), null), false, "2");
        assertThat(last().liveness()).isEqualTo(UNREACHABLE);
        assertThat(last().livenessReason()).endsWith("Ready is Unknown");
    }

    @Test
    void a_bmc_that_does_not_answer_leaves_the_power_unknown_and_a_stale_answer_after_recovery_is_ignored() {
        seeing("node001");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        tracker.powerRead("node001", "Off");
        tracker.powerRead("node001", null);
        assertThat(last().liveness()).isEqualTo(SUSPECT);
        assertThat(last().powerState()).isNull();

        tracker.leaseObserved("node001", clock.instant(), 40);
        int before = sent.size();
        tracker.powerRead("node001", "On");
        assertThat(sent).hasSize(before);
    }

    @Test
    void an_api_outage_is_a_grace_not_a_mass_failure() {
        seeing("node001");
        seeing("node002");
        clock.advance(Duration.ofSeconds(5));
        tracker.check(false, "its watch of nodes or node leases is down");
        assertThat(last().livenessReason()).as("renewals seen within the threshold are evidence, blind or not")
                .isEqualTo("lease renewed within 15 s");

        clock.advance(Duration.ofSeconds(90));
        tracker.check(false, "its watch of nodes or node leases is down");
        assertThat(last().livenessReason()).startsWith("node-watcher does not see the API server");
        assertThat(sent).extracting(NodeHealthChanged::liveness).containsOnly(ALIVE);

        tracker.check(true, null); // back: node001's kubelet renewed meanwhile and goes on, node002's is silent
        tracker.leaseObserved("node001", clock.instant().minusSeconds(2), 40);
        clock.advance(THRESHOLD.minusSeconds(5));
        tracker.leaseObserved("node001", clock.instant(), 40);
        tracker.check(true, null);
        assertThat(tracker.count(SUSPECT)).as("node002's 5 s before the outage and 10 s after count; the 90 s blind not")
                .isZero();

        clock.advance(Duration.ofMillis(1));
        tracker.check(true, null);
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(ALIVE);
        assertThat(tracker.verdict("node002")).as("unheard for a full threshold of the time node-watcher saw")
                .get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(SUSPECT);
    }

    @Test
    void a_suspect_node_stays_suspect_while_node_watcher_is_blind() {
        seeing("node001");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        assertThat(last().liveness()).isEqualTo(SUSPECT);

        tracker.check(false, "the API server does not answer");
        assertThat(last().liveness()).isEqualTo(SUSPECT);
        assertThat(last().livenessReason()).contains("the API server does not answer");
        assertThat(tracker.transitions(SUSPECT, ALIVE)).isZero();
    }

    @Test
    void a_deleted_node_is_published_once_and_its_lease_brings_nothing_back() {
        seeing("node001");
        tracker.nodeObserved(node("node001", READY), true, "9");
        assertThat(sent).extracting(NodeHealthChanged::node, NodeHealthChanged::deleted)
                .containsExactly(tuple("node001", false), tuple("node001", true));

        clock.advance(Duration.ofSeconds(10));
        tracker.leaseObserved("node001", clock.instant(), 40);
        tracker.check(true, null);
        assertThat(sent).hasSize(2);
        assertThat(tracker.count(ALIVE)).isZero();
    }

    // ---- every-node power polling -------------------------------------------------------------------------------

    private final LivenessTracker everyNode = new LivenessTracker(new LivenessJudge(Optional.empty(),
            PowerPoll.EVERY_NODE, Duration.ofSeconds(1)), clock, publisher::offer, turnedStale::add);

    @Test
    void every_node_every_node_with_a_bmc_is_polled_alive_or_not() {
        everyNode.nodeObserved(node("node001", READY), false, "1");
        everyNode.nodeObserved(new NodeFacts("node002", READY, null, false, List.of(), null), false, "1");
        everyNode.check(true, null);
        assertThat(everyNode.bmcsToPoll()).isEqualTo(Map.of("node001", BMC));
        assertThat(everyNode.bmcToPoll("node001")).contains(BMC);
        assertThat(everyNode.bmcToPoll("node002")).isEmpty();

        seeing("node001");
        assertThat(tracker.bmcsToPoll()).as("stale-nodes: not while ALIVE").isEmpty();
    }

    @Test
    void every_node_a_powered_off_node_is_unreachable_before_its_lease_is_stale_and_alive_when_it_renews() {
        everySeeing("node001");
        clock.advance(Duration.ofMillis(500));
        everyNode.powerRead("node001", "On");
        assertThat(sent).as("an ALIVE node's power is not published").hasSize(1);

        clock.advance(Duration.ofSeconds(2));
        everyNode.powerRead("node001", "Off");
        assertThat(last().liveness()).isEqualTo(UNREACHABLE);
        assertThat(last().powerState()).isEqualTo("Off");
        assertThat(last().leaseAgeMillis()).isEqualTo(2500).isLessThan(THRESHOLD.toMillis());
        assertThat(last().livenessReason())
                .isEqualTo("BMC reports PowerState Off (every-node power polling); lease renewed within 15 s");
        assertThat(turnedStale).as("the BMC was just read: no read at once").isEmpty();
        assertThat(everyNode.transitions(ALIVE, UNREACHABLE)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(3));
        everyNode.check(true, null);
        everyNode.powerRead("node001", null);
        everyNode.check(true, null);
        assertThat(last().liveness()).as("an Off no longer fresh, then no answer: nothing says it is back")
                .isEqualTo(UNREACHABLE);

        everyNode.leaseObserved("node001", clock.instant(), 40);
        assertThat(last().liveness()).isEqualTo(ALIVE);
        assertThat(last().powerState()).isNull();
        clock.advance(Duration.ofMillis(100));
        everyNode.powerRead("node001", "Off");
        assertThat(last().liveness()).as("a fresh Off after that renewal again").isEqualTo(UNREACHABLE);
        clock.advance(Duration.ofMillis(800));
        everyNode.powerRead("node001", "On");
        assertThat(last().liveness()).as("a fresh On with a fresh lease").isEqualTo(ALIVE);
        assertThat(sent).extracting(NodeHealthChanged::liveness)
                .containsExactly(ALIVE, UNREACHABLE, UNREACHABLE, ALIVE, UNREACHABLE, ALIVE);
    }

    @Test
    void every_node_an_off_read_while_node_watcher_was_blind_changes_nothing_and_then_is_too_old_to_count() {
        everySeeing("node001");
        clock.advance(Duration.ofSeconds(1));
        everyNode.check(false, "the API server does not answer");
        everyNode.powerRead("node001", "Off");
        assertThat(last().liveness()).isEqualTo(ALIVE);
        assertThat(last().livenessReason()).isEqualTo("node-watcher does not see the API server (the API server does "
                + "not answer): liveness stays as it was, whatever the BMC reports");

        clock.advance(Duration.ofSeconds(2).plusMillis(1));
        everyNode.check(true, null);
        assertThat(last().liveness()).as("the Off answer is older than two poll intervals").isEqualTo(ALIVE);
        assertThat(sent).extracting(NodeHealthChanged::liveness).containsOnly(ALIVE);
    }

    @Test
    void stale_nodes_an_answer_while_alive_is_no_news() {
        seeing("node001");
        clock.advance(Duration.ofSeconds(1));
        tracker.powerRead("node001", "Off");
        tracker.check(true, null);
        assertThat(sent).extracting(NodeHealthChanged::liveness).containsExactly(ALIVE);
    }

    private void everySeeing(String name) {
        everyNode.nodeObserved(node(name, READY), false, "1");
        everyNode.leaseObserved(name, clock.instant(), 40);
        everyNode.check(true, null);
    }

    /** A node with a BMC and a lease just renewed, node-watcher seeing the API server. */
    private void seeing(String name) {
        tracker.nodeObserved(node(name, READY), false, "1");
        tracker.leaseObserved(name, clock.instant(), 40);
        tracker.check(true, null);
    }

    private NodeHealthChanged last() {
        return sent.get(sent.size() - 1);
    }

    private static NodeFacts node(String name, NodeReadiness readiness) {
        return new NodeFacts(name, readiness, null, false, List.of(), BMC);
    }
}
