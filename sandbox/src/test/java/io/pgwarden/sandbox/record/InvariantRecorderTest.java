package io.pgwarden.sandbox.record;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class InvariantRecorderTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void overlappingWritersOnTwoNodesAreASplitBrain() {
        InvariantRecorder recorder = new InvariantRecorder(clock);
        recorder.writerStarted("pv1", "node001", "default/pg-0", "uid-a", 1);
        now = now.plus(Duration.ofSeconds(10));
        recorder.writerStarted("pv1", "node002", "default/pg-0", "uid-b", 2);
        now = now.plus(Duration.ofSeconds(5));
        recorder.writerStopped(1);

        assertThat(recorder.splitBrains()).singleElement().satisfies(s -> {
            assertThat(s.volume()).isEqualTo("pv1");
            assertThat(s.firstNode()).isEqualTo("node001");
            assertThat(s.secondNode()).isEqualTo("node002");
            assertThat(s.firstPod()).isEqualTo("default/pg-0");
            assertThat(s.overlapStart()).isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));
            assertThat(s.overlapEnd()).contains(Instant.parse("2026-01-01T00:00:15Z"));
        });
    }

    @Test
    void handOverWithoutOverlapIsNoSplitBrain() {
        InvariantRecorder recorder = new InvariantRecorder(clock);
        recorder.writerStarted("pv1", "node001", "default/pg-0", "uid-a", 1);
        now = now.plus(Duration.ofSeconds(10));
        recorder.writerStopped(1);
        recorder.writerStarted("pv1", "node002", "default/pg-0", "uid-b", 2);
        recorder.writerStarted("pv2", "node001", "default/other-0", "uid-c", 3);
        assertThat(recorder.splitBrains()).isEmpty();
    }

    @Test
    void twoPodsOnOneNodeAreASplitBrainWithNoEndWhileBothWrite() {
        InvariantRecorder recorder = new InvariantRecorder(clock);
        recorder.writerStarted("pv1", "node001", "default/pg-0", "uid-a", 1);
        now = now.plus(Duration.ofSeconds(3));
        recorder.writerStarted("pv1", "node001", "default/second", "uid-b", 2);

        assertThat(recorder.splitBrains()).singleElement().satisfies(s -> {
            assertThat(s.firstNode()).isEqualTo("node001");
            assertThat(s.secondNode()).isEqualTo("node001");
            assertThat(s.firstPod()).isEqualTo("default/pg-0");
            assertThat(s.secondPod()).isEqualTo("default/second");
            assertThat(s.overlapStart()).isEqualTo(Instant.parse("2026-01-01T00:00:03Z"));
            assertThat(s.overlapEnd()).isEmpty();
        });
    }

    @Test
    void aFencedWriterThatLivesToBeUnfencedWritesAgainInANewInterval() {
        InvariantRecorder recorder = new InvariantRecorder(clock);
        recorder.writerStarted("pv1", "node001", "default/pg-0", "uid-a", 1);
        now = now.plus(Duration.ofSeconds(10));
        recorder.writerStopped(1); // fenced, still alive
        recorder.writerStarted("pv1", "node002", "default/pg-0", "uid-b", 2);
        assertThat(recorder.splitBrains()).isEmpty();

        now = now.plus(Duration.ofSeconds(10));
        recorder.writerStarted("pv1", "node001", "default/pg-0", "uid-a", 1); // unfenced
        assertThat(recorder.writers()).hasSize(3);
        assertThat(recorder.splitBrains()).singleElement().satisfies(s -> {
            assertThat(s.overlapStart()).isEqualTo(Instant.parse("2026-01-01T00:00:20Z"));
            assertThat(s.overlapEnd()).isEmpty();
        });
    }
}
