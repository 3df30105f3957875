package io.pgwarden.watcher.health;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void doubles_from_the_initial_wait_up_to_the_max() {
        assertThat(backoff.delay(0)).isEqualTo(Duration.ZERO);
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofMillis(3_200));
        assertThat(backoff.delay(7)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(5));
    }
}
