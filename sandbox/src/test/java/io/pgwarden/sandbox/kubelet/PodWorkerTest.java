package io.pgwarden.sandbox.kubelet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PodWorkerTest {
    @Test
    void aPodGoneFromTheApiServerGetsItsSpecsGracePeriod() {
        assertThat(PodWorker.killGraceSeconds(null, 30L)).isEqualTo(30);
    }

    @Test
    void aDeletionGracePeriodTheKubeletSawWins() {
        assertThat(PodWorker.killGraceSeconds(10L, 30L)).isEqualTo(10);
    }

    @Test
    void noContainerGetsLessThanTheMinimumOfTwoSeconds() {
        assertThat(PodWorker.killGraceSeconds(0L, 30L)).isEqualTo(2);
        assertThat(PodWorker.killGraceSeconds(null, 0L)).isEqualTo(2);
        assertThat(PodWorker.killGraceSeconds(null, null)).isEqualTo(2);
    }
}
