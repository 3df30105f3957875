package io.pgwarden.sandbox.kubelet;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class CrashLoopBackOffTest {
    @Test
    void firstRestartIsImmediateThenDoublesUpToFiveMinutes() {
        assertThat(CrashLoopBackOff.delay(0)).isZero();
        assertThat(CrashLoopBackOff.delay(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(CrashLoopBackOff.delay(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(CrashLoopBackOff.delay(9)).isEqualTo(Duration.ofMinutes(5));
    }
}
