package io.pgwarden.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks' arithmetic. */
class BenchmarkSupportTest {

    @Test
    void nearest_rank_percentiles() {
        long[] sorted = java.util.stream.LongStream.rangeClosed(1, 200).toArray();
        assertThat(BenchmarkSupport.rank(sorted, 0.50)).isEqualTo(100);
        assertThat(BenchmarkSupport.rank(sorted, 0.99)).isEqualTo(198);
        assertThat(BenchmarkSupport.rank(new long[] {7}, 0.99)).isEqualTo(7);
        assertThat(BenchmarkSupport.percentiles(List.of(2_000_000L, 1_000_000L)))
                .isEqualTo("p50 1.0 ms   p99 2.0 ms   max 2.0 ms   (n=2)");
    }
}
