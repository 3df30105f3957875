package io.pgwarden.gateway;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void a_burst_passes_then_the_rate_holds() {
        TokenBucket bucket = new TokenBucket(3, 2, T0);

        assertThat(bucket.take(T0)).isZero();
        assertThat(bucket.take(T0)).isZero();
        assertThat(bucket.take(T0)).isZero();
        assertThat(bucket.take(T0)).as("empty: half a second to the next token at 2/s").isEqualTo(Duration.ofMillis(500));
        assertThat(bucket.take(T0.plusMillis(200))).isEqualTo(Duration.ofMillis(300));
        assertThat(bucket.take(T0.plusMillis(500))).isZero();
        assertThat(bucket.take(T0.plusMillis(500))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void an_idle_bucket_fills_up_to_the_burst_and_no_further() {
        TokenBucket bucket = new TokenBucket(2, 1, T0);
        bucket.take(T0);
        bucket.take(T0);

        Instant later = T0.plus(Duration.ofHours(1));
        assertThat(bucket.isFull(later)).isTrue();
        assertThat(bucket.take(later)).isZero();
        assertThat(bucket.take(later)).isZero();
        assertThat(bucket.take(later)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a_refused_request_takes_nothing() {
        TokenBucket bucket = new TokenBucket(1, 1, T0);
        bucket.take(T0);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.take(T0.plusMillis(100))).isEqualTo(Duration.ofMillis(900));
        }
        assertThat(bucket.take(T0.plusSeconds(1))).isZero();
    }

    @Test
    void a_clock_going_back_adds_nothing() {
        TokenBucket bucket = new TokenBucket(1, 1, T0);
        bucket.take(T0);

        assertThat(bucket.take(T0.minusSeconds(30))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a_bucket_that_can_never_pass_is_a_configuration_error() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, T0)).hasMessageContaining("burst of at least 1");
        assertThatThrownBy(() -> new TokenBucket(1, 0, T0)).hasMessageContaining("positive rate");
    }
}
