package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.TestClock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one liveness check costs for 5,000 nodes (a figure, not a test): steady state (every lease fresh, nothing to
 * hand on) and the check in which every node's verdict changes (node-watcher turned blind). Run:
 * {@code java -cp "node-watcher/target/test-classes:node-watcher/target/classes:$(./mvnw -q -pl node-watcher
 * dependency:build-classpath -Dmdep.outputFile=/dev/stdout)" io.pgwarden.watcher.health.LivenessCheckBenchmark [nodes]}
 */
public final class LivenessCheckBenchmark {
    private LivenessCheckBenchmark() {
    }

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
        LongAdder handedOn = new LongAdder();
        LivenessTracker tracker = new LivenessTracker(new LivenessJudge(Optional.empty(), PowerPoll.STALE_NODES, Duration.ofSeconds(5)), clock,
                reading -> handedOn.increment(), node -> { });
        for (int i = 0; i < nodes; i++) {
            String name = String.format("node%05d", i);
            tracker.nodeObserved(new NodeFacts(name, NodeReadiness.READY, "KubeletReady", false, List.of(),
                    "https://10.0.0.1/redfish/v1/Systems/" + i), false, "1");
            tracker.leaseObserved(name, clock.instant(), 40);
        }
        tracker.check(true, null);

        int rounds = 2000;
        for (int i = 0; i < rounds; i++) { // warm-up
            tracker.check(true, null);
        }
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            tracker.check(true, null);
        }
        long steady = (System.nanoTime() - start) / rounds;

        long changed = 0;
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMinutes(1));
            long before = handedOn.sum();
            long t0 = System.nanoTime();
            tracker.check(i % 2 == 1, "the API server does not answer");
            changed += System.nanoTime() - t0;
            if (handedOn.sum() - before != nodes) {
                throw new IllegalStateException("expected every node to change");
            }
        }
        System.out.printf("LIVENESS CHECK, %d nodes: %.3f ms a check when nothing changes (%.0f ns a node), "
                        + "%.3f ms when every node's verdict changes (readings handed on, not published)%n", nodes,
                steady / 1e6, (double) steady / nodes, changed / 20 / 1e6);
    }
}
