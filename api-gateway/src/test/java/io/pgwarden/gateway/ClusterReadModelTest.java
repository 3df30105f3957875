package io.pgwarden.gateway;

import io.pgwarden.testing.TestClock;
import jakarta.ws.rs.NotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterReadModelTest {
    private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock(T0);
    private final List<Supplier<ClustersAnswer>> answers = new ArrayList<>();
    private int fetches;
    private final ClusterReadModel model = new ClusterReadModel(() -> {
        fetches++;
        return answers.remove(0).get();
    }, STALE_AFTER, clock);

    @Test
    void reads_are_answered_from_the_last_fetch_without_asking_again() {
        answers.add(() -> answer(T0, "pg-a", "pg-b"));
        model.refresh();

        for (int i = 0; i < 100; i++) {
            assertThat(model.clusters().clusters()).extracting(ClusterView::name).containsExactly("pg-a", "pg-b");
            assertThat(model.cluster("db1", "pg-b").name()).isEqualTo("pg-b");
        }
        assertThat(fetches).isEqualTo(1);
        assertThat(model.clusters().observedAt()).as("failover-service's, not the read's").isEqualTo(T0);
        assertThatThrownBy(() -> model.cluster("db1", "pg-z")).isInstanceOf(NotFoundException.class)
                .hasMessage("no managed database db1/pg-z");
    }

    @Test
    void before_the_first_fetch_a_read_is_a_503_that_says_so() {
        assertThatThrownBy(model::clusters).isInstanceOfSatisfying(Upstream.UnavailableException.class,
                e -> assertThat(e.status()).isEqualTo(503)).hasMessage("failover-service has not been asked yet;"
                + " the gateway has no list of the managed databases since it started");
    }

    @Test
    void while_failover_service_is_silent_the_copy_is_shown_until_it_is_stale_then_the_reason() {
        answers.add(() -> answer(T0, "pg-a"));
        model.refresh();
        answers.add(() -> {
            throw new Upstream.UnavailableException(503,
                    "failover-service at http://f did not answer (timeout)", null);
        });
        clock.set(T0.plusSeconds(10));
        model.refresh();
        assertThat(model.clusters().observedAt()).isEqualTo(T0);

        clock.set(T0.plus(STALE_AFTER));
        assertThat(model.clusters().clusters()).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(model::clusters).isInstanceOfSatisfying(Upstream.UnavailableException.class,
                e -> assertThat(e.status()).isEqualTo(503)).hasMessage("failover-service at http://f did not answer"
                + " (timeout); the gateway has no list of the managed databases since " + T0);

        answers.add(() -> answer(clock.instant(), "pg-a", "pg-c"));
        model.refresh();
        assertThat(model.clusters().clusters()).extracting(ClusterView::name).containsExactly("pg-a", "pg-c");
    }

    private static ClustersAnswer answer(Instant observedAt, String... names) {
        List<ClusterView> clusters = new ArrayList<>();
        for (String name : names) {
            clusters.add(new ClusterView("db1", name, "running", null, 1, null, name + "-0", "node001", true, null,
                    null, null, observedAt));
        }
        return new ClustersAnswer(observedAt, clusters);
    }
}
