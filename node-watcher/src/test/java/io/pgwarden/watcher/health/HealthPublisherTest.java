package io.pgwarden.watcher.health;

import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.NodeLiveness;
import io.pgwarden.contracts.event.NodeReadiness;
import io.pgwarden.testing.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.pgwarden.contracts.event.NodeReadiness.NOT_READY;
import static io.pgwarden.contracts.event.NodeReadiness.READY;
import static io.pgwarden.contracts.event.NodeReadiness.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HealthPublisherTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration DELETION_MEMORY = Duration.ofMinutes(5);

    private final TestClock clock = new TestClock(T0);
    private final ManualRunner runner = new ManualRunner(clock);
    private final FakePort port = new FakePort();
    private final AtomicBoolean leading = new AtomicBoolean(true);
    private final HealthPublisher<NodeHealthChanged> publisher = new HealthPublisher<>("node", port, runner, clock,
            leading::get, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5)), DELETION_MEMORY);

    @Test
    void a_first_reading_is_published_with_its_resource_version_the_time_observed_and_a_sequence() {
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();

        assertThat(port.sent).singleElement().satisfies(e -> {
            assertThat(e.node()).isEqualTo("n1");
            assertThat(e.readiness()).isEqualTo(READY);
            assertThat(e.resourceVersion()).isEqualTo("10");
            assertThat(e.observedAt()).isEqualTo(T0);
            assertThat(e.sequence()).isEqualTo(HybridClock.micros(T0));
            assertThat(e.deleted()).isFalse();
        });
    }

    @Test
    void a_heartbeat_that_only_changes_the_resource_version_is_not_published() {
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();
        publisher.offer(node("n1", READY, "11"));
        publisher.offer(node("n1", READY, "12"));
        runner.runDue();

        assertThat(port.sent).hasSize(1);
    }

    @Test
    void each_change_gets_a_higher_sequence_even_when_the_clock_stands_still() {
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();
        publisher.offer(node("n1", NOT_READY, "11"));
        runner.runDue();
        publisher.offer(node("n1", READY, "12"));
        runner.runDue();

        assertThat(port.sent).extracting(NodeHealthChanged::readiness).containsExactly(READY, NOT_READY, READY);
        assertThat(port.sent).extracting(NodeHealthChanged::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void a_failed_publish_is_retried_with_backoff_until_sent_and_does_not_hold_up_other_keys() {
        port.failing.add("n1");
        publisher.offer(node("n1", READY, "10"));
        publisher.offer(node("n2", READY, "20"));
        runner.runDue();
        assertThat(port.sent).extracting(NodeHealthChanged::node).containsExactly("n2");
        assertThat(port.attempts("n1")).isEqualTo(1);

        clock.advance(Duration.ofMillis(99));
        runner.runDue();
        assertThat(port.attempts("n1")).as("before the first backoff").isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        runner.runDue();
        assertThat(port.attempts("n1")).isEqualTo(2);
        clock.advance(Duration.ofMillis(199));
        runner.runDue();
        assertThat(port.attempts("n1")).as("the backoff doubled").isEqualTo(2);

        port.failing.clear();
        clock.advance(Duration.ofMillis(1));
        runner.runDue();
        assertThat(port.sent).extracting(NodeHealthChanged::node).containsExactly("n2", "n1");
        NodeHealthChanged retried = port.sent.get(1);
        assertThat(retried.sequence()).as("the same event, so a duplicate is dropped by its sequence")
                .isEqualTo(port.attempted.get(0).sequence());
        assertThat(publisher.failures()).isEqualTo(2);
        assertThat(publisher.backlog()).isZero();
    }

    @Test
    void a_newer_reading_supersedes_one_whose_publish_keeps_failing() {
        port.failing.add("n1");
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();
        clock.advance(Duration.ofMillis(50));
        publisher.offer(node("n1", NOT_READY, "11"));
        runner.runDue();
        assertThat(port.attempts("n1")).as("waits for the backoff, not for the new reading").isEqualTo(1);

        port.failing.clear();
        clock.advance(Duration.ofMillis(50));
        runner.runDue();
        assertThat(port.sent).extracting(NodeHealthChanged::readiness).containsExactly(NOT_READY);
        assertThat(port.sent.get(0).resourceVersion()).isEqualTo("11");
        assertThat(port.sent.get(0).sequence()).isGreaterThan(port.attempted.get(0).sequence());
    }

    @Test
    void a_snapshot_publishes_the_newest_reading_never_an_older_one_after_it() {
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();
        publisher.offer(node("n1", NOT_READY, "11")); // delivered, not yet drained
        publisher.snapshot();
        runner.runDue();
        publisher.snapshot();
        runner.runDue();

        assertThat(port.sent).extracting(NodeHealthChanged::readiness).containsExactly(READY, NOT_READY, NOT_READY);
        assertThat(port.sent).extracting(NodeHealthChanged::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void a_deletion_is_published_with_the_last_known_health_and_then_forgotten() {
        publisher.offer(node("n1", NOT_READY, "10"));
        runner.runDue();
        publisher.offer(deleted(node("n1", NOT_READY, "11")));
        runner.runDue();
        publisher.snapshot();
        runner.runDue();

        assertThat(port.sent).extracting(NodeHealthChanged::readiness, NodeHealthChanged::deleted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(NOT_READY, false),
                        org.assertj.core.groups.Tuple.tuple(NOT_READY, true));
        assertThat(publisher.latest("n1")).as("forgotten").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        publisher.offer(node("n1", READY, "12")); // the node comes back
        runner.runDue();
        assertThat(port.sent).hasSize(3);
        assertThat(port.sent.get(2).sequence()).isGreaterThan(port.sent.get(1).sequence());
    }

    @Test
    void a_standby_publishes_nothing_and_on_becoming_leader_publishes_everything_it_knows_including_deletions() {
        leading.set(false);
        publisher.offer(node("n1", READY, "10"));
        publisher.offer(node("n2", UNKNOWN, "20"));
        publisher.offer(deleted(node("n2", UNKNOWN, "21")));
        runner.runDue();
        publisher.snapshot();
        runner.runDue();
        assertThat(port.attempted).isEmpty();
        assertThat(publisher.known()).as("n1, and the deletion of n2").isEqualTo(2);
        assertThat(publisher.backlog()).isZero();

        leading.set(true);
        publisher.leadershipChanged(true);
        runner.runDue();
        assertThat(port.sent).extracting(NodeHealthChanged::node, NodeHealthChanged::deleted)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("n1", false),
                        org.assertj.core.groups.Tuple.tuple("n2", true));
        assertThat(publisher.latest("n2")).isEmpty();
        assertThat(publisher.known()).isEqualTo(1);
    }

    @Test
    void a_standby_forgets_a_deletion_once_it_kept_it_for_the_deletion_memory() {
        leading.set(false);
        publisher.offer(deleted(node("n2", UNKNOWN, "21")));
        runner.runDue();
        clock.advance(DELETION_MEMORY.minusMillis(1));
        publisher.snapshot();
        assertThat(publisher.latest("n2")).isPresent();
        clock.advance(Duration.ofMillis(1));
        publisher.snapshot();
        assertThat(publisher.latest("n2")).isEmpty();
    }

    @Test
    void a_leader_that_steps_down_stops_retrying_and_leads_again_with_a_fresh_sequence() {
        port.failing.add("n1");
        publisher.offer(node("n1", READY, "10"));
        runner.runDue();
        leading.set(false);
        publisher.leadershipChanged(false);
        port.failing.clear();
        clock.advance(Duration.ofSeconds(1));
        runner.runDue();
        assertThat(port.sent).isEmpty();

        leading.set(true);
        publisher.leadershipChanged(true);
        runner.runDue();
        assertThat(port.sent).singleElement().satisfies(e ->
                assertThat(e.sequence()).isGreaterThan(port.attempted.get(0).sequence()));
    }

    /**
     * Informer threads and snapshots race on real threads: per key, sends never overlap, sequences rise in the
     * order the broker got them, and the last event sent is the last reading delivered.
     */
    @Test
    void under_concurrent_readings_and_snapshots_each_key_is_published_in_order_and_ends_on_its_latest_reading()
            throws Exception {
        ScheduledExecutorService threads = Executors.newScheduledThreadPool(4);
        ConcurrentPort concurrent = new ConcurrentPort();
        HealthPublisher<NodeHealthChanged> real = new HealthPublisher<>("node", concurrent, new HealthPublisher.Runner() {
            @Override
            public void run(Runnable task) {
                threads.execute(task);
            }

            @Override
            public void runAfter(Duration delay, Runnable task) {
                threads.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }, Clock.systemUTC(), () -> true, new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)), DELETION_MEMORY);
        NodeReadiness[] cycle = {READY, NOT_READY, UNKNOWN};
        Map<String, NodeReadiness> lastOffered = new ConcurrentHashMap<>();
        ExecutorService informers = Executors.newFixedThreadPool(2);
        AtomicBoolean offering = new AtomicBoolean(true);
        for (int t = 0; t < 2; t++) {
            int informer = t;
            informers.execute(() -> {
                for (int i = 0; i < 300; i++) {
                    String key = "n" + (informer * 10 + i % 10);
                    NodeReadiness readiness = cycle[ThreadLocalRandom.current().nextInt(cycle.length)];
                    lastOffered.put(key, readiness);
                    real.offer(node(key, readiness, String.valueOf(i)));
                    if (i % 7 == 0) {
                        sleepQuietly(1);
                    }
                }
            });
        }
        Thread snapshots = new Thread(() -> {
            while (offering.get()) {
                real.snapshot();
                sleepQuietly(2);
            }
        });
        snapshots.start();
        informers.shutdown();
        assertThat(informers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        offering.set(false);
        snapshots.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> real.backlog() == 0);
        threads.shutdown();

        assertThat(concurrent.overlaps).as("sends of one key overlapping").isEmpty();
        Map<String, List<NodeHealthChanged>> byKey = new ConcurrentHashMap<>();
        concurrent.sent.forEach(e -> byKey.computeIfAbsent(e.node(), k -> new ArrayList<>()).add(e));
        assertThat(byKey.keySet()).isEqualTo(lastOffered.keySet());
        byKey.forEach((key, events) -> {
            assertThat(events).extracting(NodeHealthChanged::sequence).as(key).isSorted().doesNotHaveDuplicates();
            assertThat(events.get(events.size() - 1).readiness()).as(key).isEqualTo(lastOffered.get(key));
        });
    }

    private static Reading<NodeHealthChanged> node(String name, NodeReadiness readiness, String resourceVersion) {
        return new Reading<>(new NodeHealth(name, readiness, null, false, List.of(), NodeLiveness.ALIVE, null, null, null),
                false, resourceVersion);
    }

    private static Reading<NodeHealthChanged> deleted(Reading<NodeHealthChanged> reading) {
        return new Reading<>(reading.health(), true, reading.resourceVersion());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what was sent; fails for the keys in {@code failing}. */
    private static final class FakePort implements HealthPublisher.Port<NodeHealthChanged> {
        final List<NodeHealthChanged> attempted = new ArrayList<>();
        final List<NodeHealthChanged> sent = new ArrayList<>();
        final Set<String> failing = new HashSet<>();

        @Override
        public void send(String key, NodeHealthChanged event) {
            attempted.add(event);
            if (failing.contains(key)) {
                throw new IllegalStateException("broker unavailable");
            }
            sent.add(event);
        }

        long attempts(String key) {
            return attempted.stream().filter(e -> e.node().equals(key)).count();
        }
    }

    /** Records sends from many threads, and any two sends of one key at the same time. */
    private static final class ConcurrentPort implements HealthPublisher.Port<NodeHealthChanged> {
        final List<NodeHealthChanged> sent = new CopyOnWriteArrayList<>();
        final List<String> overlaps = new CopyOnWriteArrayList<>();
        private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

        @Override
        public void send(String key, NodeHealthChanged event) {
            if (!inFlight.add(key)) {
                overlaps.add(key);
            }
            try {
                if (ThreadLocalRandom.current().nextInt(20) == 0) {
                    throw new IllegalStateException("broker hiccup");
                }
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Thread.yield();
                }
                sent.add(event);
            } finally {
                inFlight.remove(key);
            }
        }
    }

    /** Runs tasks when the test's clock says they are due. */
    private static final class ManualRunner implements HealthPublisher.Runner {
        private record Task(Instant due, long order, Runnable task) {
        }

        private final TestClock clock;
        private final PriorityQueue<Task> tasks = new PriorityQueue<>(
                Comparator.comparing(Task::due).thenComparing(Task::order));
        private long order;

        ManualRunner(TestClock clock) {
            this.clock = clock;
        }

        @Override
        public void run(Runnable task) {
            runAfter(Duration.ZERO, task);
        }

        @Override
        public void runAfter(Duration delay, Runnable task) {
            tasks.add(new Task(clock.instant().plus(delay), order++, task));
        }

        void runDue() {
            while (!tasks.isEmpty() && !tasks.peek().due().isAfter(clock.instant())) {
                tasks.poll().task().run();
            }
        }
    }
}
