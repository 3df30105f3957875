package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.pgwarden.contracts.event.NodeLiveness.ALIVE;
import static io.pgwarden.contracts.event.NodeLiveness.SUSPECT;
import static io.pgwarden.contracts.event.NodeLiveness.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;

class DatabasePortsTest {
    private static final DatabasePort.Answer TIMED_OUT = DatabasePort.Answer.silent("connect timed out");
    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final List<String> asked = new ArrayList<>();
    private final List<CompletableFuture<Optional<DatabasePort.Answer>>> answers = new ArrayList<>();
    /** Ports that answer when the test says. */
    private final DatabasePorts.Port tcp = pod -> {
        asked.add(pod.pod() + "@" + pod.address());
        CompletableFuture<Optional<DatabasePort.Answer>> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    };
    private DatabasePorts ports;
    private final LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(),
            PowerPoll.STALE_NODES, Duration.ofSeconds(5)), clock, reading -> { }, node -> ports.probeNow(node));

    {
        ports = new DatabasePorts(tracker, tcp);
    }

    @Test
    void only_the_pods_of_a_stale_node_are_probed_at_once_and_each_check_one_probe_per_pod_at_a_time() {
        node("node001");
        node("node002");
        pod("pg-0", "node001", "10.0.0.5");
        pod("pg-1", "node002", "10.0.0.6");
        ports.probeAll();
        assertThat(asked).as("healthy nodes are not probed").isEmpty();

        clock.advance(Duration.ofSeconds(10));
        tracker.leaseObserved("node002", clock.instant(), 40);
        clock.advance(Duration.ofSeconds(6));
        tracker.check(true, null);
        assertThat(asked).as("node001 just turned stale").containsExactly("default/pg-0@10.0.0.5:5432");

        ports.probeAll();
        assertThat(asked).as("still waiting for the first answer").hasSize(1);

        answers.get(0).complete(Optional.of(TIMED_OUT));
        assertThat(tracker.verdict("node001")).get().satisfies(v -> {
            assertThat(v.liveness()).isEqualTo(UNREACHABLE);
            assertThat(v.reason()).endsWith("; database port of default/pg-0 (10.0.0.5:5432) does not answer "
                    + "(connect timed out)");
        });
        ports.probeAll();
        assertThat(asked).as("the next check probes again").hasSize(2);
        assertThat(ports.silent()).isEqualTo(1);
    }

    @Test
    void a_port_that_answers_leaves_the_node_suspect_and_a_probe_that_could_not_be_made_is_no_silence() {
        node("node001");
        pod("pg-0", "node001", "10.0.0.5");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);

        answers.get(0).complete(Optional.of(DatabasePort.Answer.ANSWERS));
        assertThat(tracker.verdict("node001")).get().satisfies(v -> {
            assertThat(v.liveness()).isEqualTo(SUSPECT);
            assertThat(v.reason()).endsWith("; database port of default/pg-0 (10.0.0.5:5432) answers");
        });
        ports.probeAll();
        answers.get(1).completeExceptionally(new IllegalStateException("the sandbox knows no address"));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(SUSPECT);
        assertThat(ports.unknown()).isEqualTo(1);
    }

    @Test
    void every_managed_pod_of_the_node_must_be_silent() {
        node("node001");
        pod("pg-0", "node001", "10.0.0.5");
        pod("pg-1", "node001", "10.0.0.6");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        assertThat(asked).hasSize(2);

        answers.get(0).complete(Optional.of(TIMED_OUT));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(SUSPECT);
        answers.get(1).complete(Optional.of(DatabasePort.Answer.silent("connection refused")));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(UNREACHABLE);

        ports.podObserved("default", "pg-1", Optional.empty());
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::reason)
                .as("a pod gone is no longer weighed").asString().doesNotContain("pg-1");
    }

    @Test
    void what_was_probed_in_an_earlier_stale_spell_or_of_an_earlier_pod_counts_for_nothing() {
        node("node001");
        pod("pg-0", "node001", "10.0.0.5");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        answers.get(0).complete(Optional.of(TIMED_OUT));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(UNREACHABLE);

        tracker.leaseObserved("node001", clock.instant(), 40);
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(ALIVE);
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);
        assertThat(tracker.verdict("node001")).get().as("stale again: SUSPECT until the new probe answers")
                .extracting(LivenessJudge.Verdict::liveness).isEqualTo(SUSPECT);

        pod("pg-0", "node001", "10.0.0.9"); // started again with a new IP while the probe of the old one is out
        answers.get(1).complete(Optional.of(TIMED_OUT));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(SUSPECT);
    }

    private void node(String name) {
        tracker.nodeObserved(new NodeFacts(name, NodeReadiness.READY, null, false, List.of(), null), false, "1");
        tracker.leaseObserved(name, clock.instant(), 40);
        tracker.check(true, null);
    }

    private void pod(String name, String node, String ip) {
        ports.podObserved("default", name, Optional.of(new ManagedPod("default", name, node, ip, 5432)));
    }
}
