package io.pgwarden.e2e;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark's tolerant reading of the wake-up metric. */
class CommandPathBenchmarkTest {

    @Test
    void no_wakeup_metric_means_no_figure() {
        assertThat(CommandPathBenchmark.WakeupMetric.describe("""
                # TYPE http_server_requests_seconds summary
                http_server_requests_seconds_count{method="GET"} 3.0
                """)).isEmpty();
    }

    @Test
    void reads_published_percentiles() {
        assertThat(CommandPathBenchmark.WakeupMetric.describe("""
                # TYPE pgwarden_operation_wakeup_seconds summary
                pgwarden_operation_wakeup_seconds{quantile="0.5",} 0.0021
                pgwarden_operation_wakeup_seconds{quantile="0.99",} 0.0087
                pgwarden_operation_wakeup_seconds_count 1200.0
                pgwarden_operation_wakeup_seconds_sum 3.1
                # TYPE pgwarden_operation_wakeup_seconds_max gauge
                pgwarden_operation_wakeup_seconds_max 0.012
                """)).contains("p50 2.1 ms   p99 8.7 ms   max 12.0 ms   (count 1200)");
    }

    @Test
    void reads_histogram_buckets_as_upper_bounds() {
        assertThat(CommandPathBenchmark.WakeupMetric.describe("""
                pgwarden_operation_wakeup_seconds_bucket{kind="cordon",le="0.001"} 10.0
                pgwarden_operation_wakeup_seconds_bucket{kind="cordon",le="0.005"} 60.0
                pgwarden_operation_wakeup_seconds_bucket{kind="cordon",le="0.01"} 99.0
                pgwarden_operation_wakeup_seconds_bucket{kind="cordon",le="+Inf"} 100.0
                pgwarden_operation_wakeup_seconds_count{kind="cordon"} 100.0
                """)).contains("p50 ≤ 5.0 ms   p99 ≤ 10.0 ms   max n/a   (count 100)");
    }
}
