package io.pgwarden.watcher.health;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class HybridClockTest {
    private static final Instant T = Instant.parse("2026-11-23T10:00:00.123456789Z");
    private static final long T_MICROS = 1_795_428_000_123_456L;

    @Test
    void follows_the_clock_in_microseconds() {
        assertThat(HybridClock.micros(T)).isEqualTo(T_MICROS);
        assertThat(HybridClock.next(0, T)).isEqualTo(T_MICROS);
        assertThat(HybridClock.next(T_MICROS, T.plusMillis(1))).isEqualTo(T_MICROS + 1_000);
    }

    @Test
    void increases_when_the_clock_stands_still_or_steps_back() {
        long first = HybridClock.next(0, T);
        long second = HybridClock.next(first, T);
        long third = HybridClock.next(second, T.minusSeconds(30));
        assertThat(second).isEqualTo(first + 1);
        assertThat(third).isEqualTo(first + 2);
    }

    @Test
    void a_restarted_or_new_leader_starts_above_what_the_previous_one_issued() {
        long last = 0;
        for (int i = 0; i < 1_000; i++) {
            last = HybridClock.next(last, T); // a burst of a thousand events in the same microsecond
        }
        long afterRestart = HybridClock.next(0, T.plusSeconds(2)); // nothing carried over, seconds later
        assertThat(afterRestart).isGreaterThan(last);
    }
}
