package io.pgwarden.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's arithmetic: the write pause inside a window and the time the snapshots took together. */
class BackupsBenchmarkTest {
    private static final Instant T = Instant.parse("2026-11-27T06:00:00Z");

    private static Instant at(long millis) {
        return T.plusMillis(millis);
    }

    @Test
    void the_write_pause_is_the_longest_gap_inside_the_window_edges_included() {
        List<Instant> acks = List.of(at(0), at(10), at(20), at(900), at(910), at(2000));
        assertThat(BackupsBenchmark.longestGap(acks, at(5), at(1000))).contains(Duration.ofMillis(880));
        // from the last acknowledgement inside to the window's end
        assertThat(BackupsBenchmark.longestGap(acks, at(5), at(1900))).contains(Duration.ofMillis(990));
        // from the window's start to the first acknowledgement inside
        assertThat(BackupsBenchmark.longestGap(acks, at(30), at(905))).contains(Duration.ofMillis(870));
    }

    @Test
    void no_acknowledged_write_inside_the_window_is_no_figure() {
        assertThat(BackupsBenchmark.longestGap(List.of(at(0), at(2000)), at(5), at(1000))).isEmpty();
    }

    @Test
    void snapshots_that_overlap_count_once_and_a_gap_between_them_not_at_all() {
        List<SnapshotTimes.Snapshot> taken = List.of(snapshot(0, 3000), snapshot(2000, 5000), snapshot(6000, 7000));
        assertThat(BackupsBenchmark.snapshotSpan(taken)).contains(Duration.ofMillis(6000));
    }

    @Test
    void a_snapshot_never_seen_ready_leaves_the_span_unmeasured() {
        assertThat(BackupsBenchmark.snapshotSpan(List.of(snapshot(0, 3000),
                new SnapshotTimes.Snapshot("s", "b", "wal-tail", at(100), null, null)))).isEqualTo(Optional.empty());
        assertThat(BackupsBenchmark.snapshotSpan(List.of())).isEmpty();
    }

    private static SnapshotTimes.Snapshot snapshot(long created, long ready) {
        return new SnapshotTimes.Snapshot("s" + created, "b", "data", at(created), at(created + 100), at(ready));
    }
}
