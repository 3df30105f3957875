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

class PowerPollsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final List<String> asked = new ArrayList<>();
    private final List<CompletableFuture<Optional<String>>> answers = new ArrayList<>();
    /** A BMC that answers when the test says. */
    private final PowerPolls.Port bmc = url -> {
        asked.add(url);
        CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    };
    private PowerPolls polls;
    private final LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(),
            PowerPoll.STALE_NODES, Duration.ofSeconds(5)), clock, reading -> { }, node -> polls.pollNow(node));

    {
        polls = new PowerPolls(tracker, bmc);
    }

    @Test
    void a_node_turning_stale_is_read_at_once_and_only_once_at_a_time() {
        node("node001", "http://bmc1/redfish/v1/Systems/1");
        node("node002", null);
        node("node003", "http://bmc3/redfish/v1/Systems/1");
        clock.advance(Duration.ofSeconds(10));
        tracker.leaseObserved("node003", clock.instant(), 40);

        clock.advance(Duration.ofSeconds(6));
        tracker.check(true, null);
        assertThat(asked).containsExactly("http://bmc1/redfish/v1/Systems/1");

        polls.pollAll();
        assertThat(asked).as("still waiting for the first answer").hasSize(1);

        answers.get(0).complete(Optional.of("Off"));
        assertThat(tracker.verdict("node001")).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(UNREACHABLE);
        polls.pollAll();
        assertThat(asked).hasSize(2);
    }

    @Test
    void a_bmc_that_fails_leaves_the_power_unknown() {
        node("node001", "http://bmc1/redfish/v1/Systems/1");
        clock.advance(Duration.ofSeconds(16));
        tracker.check(true, null);

        answers.get(0).completeExceptionally(new java.net.ConnectException("refused"));
        assertThat(tracker.verdict("node001")).get().satisfies(v -> {
            assertThat(v.liveness()).isEqualTo(SUSPECT);
            assertThat(v.reason()).endsWith("power state unknown");
        });
    }

    @Test
    void every_node_every_node_with_a_bmc_is_read_each_round_one_read_at_a_time_and_no_answer_is_no_off() {
        LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(), PowerPoll.EVERY_NODE,
                Duration.ofSeconds(1)), clock, reading -> { }, node -> { });
        PowerPolls polls = new PowerPolls(tracker, bmc);
        for (String name : List.of("node001", "node002", "node003")) {
            tracker.nodeObserved(new NodeFacts(name, NodeReadiness.READY, null, false, List.of(),
                    name.equals("node002") ? null : "http://" + name + "/redfish/v1/Systems/1"), false, "1");
            tracker.leaseObserved(name, clock.instant(), 40);
        }
        tracker.check(true, null);

        polls.pollAll();
        assertThat(asked).as("ALIVE nodes too, those with a BMC").containsExactlyInAnyOrder(
                "http://node001/redfish/v1/Systems/1", "http://node003/redfish/v1/Systems/1");
        polls.pollAll();
        assertThat(asked).as("still waiting for the first answers").hasSize(2);

        answers.get(0).completeExceptionally(new java.net.ConnectException("refused"));
        answers.get(1).complete(Optional.of("On"));
        assertThat(List.of("node001", "node003")).allSatisfy(n ->
                assertThat(tracker.verdict(n)).get().extracting(LivenessJudge.Verdict::liveness).isEqualTo(ALIVE));
        polls.pollAll();
        assertThat(asked).hasSize(4);
        assertThat(polls.answered()).isEqualTo(1);
        assertThat(polls.unanswered()).isEqualTo(1);
    }

    private void node(String name, String bmc) {
        tracker.nodeObserved(new NodeFacts(name, NodeReadiness.READY, null, false, List.of(), bmc), false, "1");
        tracker.leaseObserved(name, clock.instant(), 40);
        tracker.check(true, null);
    }
}
