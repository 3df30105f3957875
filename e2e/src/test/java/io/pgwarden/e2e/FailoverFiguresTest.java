package io.pgwarden.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The failover benchmark's arithmetic: marks from an incident's timeline, figures between them, the table. */
class FailoverFiguresTest {
    private static final Instant OFF = Instant.parse("2026-01-10T10:00:00Z");

    private static Map<String, Instant> run(long suspected, long recovered) {
        return FailoverFigures.marks(OFF, Map.of(
                "at.suspected", OFF.plusMillis(suspected).toString(),
                "at.confirmed", OFF.plusMillis(suspected + 5).toString(),
                "stormSettledAt", OFF.plusMillis(suspected + 2_000).toString(),
                "at.fencing", OFF.plusMillis(suspected + 2_040).toString(),
                "at.recovered", OFF.plusMillis(recovered).toString(),
                "databases", "default/pg-bench"),
                Map.of(FailoverFigures.WRITES_BACK, OFF.plusMillis(recovered + 300)));
    }

    @Test
    void marks_are_the_power_off_the_incidents_phases_and_what_the_benchmark_saw() {
        Map<String, Instant> marks = run(9_000, 30_000);
        assertThat(marks).containsOnlyKeys(FailoverFigures.OFF, "suspected", "confirmed", FailoverFigures.SETTLED,
                "fencing", "recovered", FailoverFigures.WRITES_BACK);
        assertThat(FailoverFigures.of(FailoverFigures.END_TO_END, marks)).contains(Duration.ofSeconds(30));
        // our own reaction counts from the turn the storm guard let the incident past
        assertThat(FailoverFigures.of(FailoverFigures.FENCE_REQUESTED, marks)).contains(Duration.ofMillis(40));
        assertThat(FailoverFigures.of(FailoverFigures.POD_FORCE_DELETED, marks)).isEmpty();
    }

    @Test
    void a_figure_is_taken_over_the_runs_that_reached_it_and_p99_is_the_max_under_100_runs() {
        List<Map<String, Instant>> runs = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            runs.add(run(1_000L * i, 20_000L + 1_000L * i));
        }
        runs.add(FailoverFigures.marks(OFF, Map.of("at.suspected", OFF.plusMillis(500).toString()), Map.of()));
        assertThat(FailoverFigures.samples(FailoverFigures.END_TO_END, runs)).hasSize(20);
        assertThat(FailoverFigures.percentile(FailoverFigures.END_TO_END, runs, 0.50)).contains(Duration.ofSeconds(30));
        assertThat(FailoverFigures.percentile(FailoverFigures.END_TO_END, runs, 0.99)).contains(Duration.ofSeconds(40));
        String table = FailoverFigures.table(runs);
        assertThat(table).contains("p99=max");
        assertThat(table.lines().filter(l -> l.contains("end to end")).findFirst().orElseThrow())
                .contains("30.00 s", "40.00 s", " 20");
        assertThat(table.lines().filter(l -> l.contains("old pod deleted → new pod created")).findFirst()
                .orElseThrow()).contains(" - ", " 0");
    }
}
