package io.pgwarden.backup.schedule;

import io.pgwarden.contracts.command.MissedSlots;
import io.pgwarden.backup.schedule.SlotDecider.Nothing;
import io.pgwarden.backup.schedule.SlotDecider.Run;
import io.pgwarden.backup.schedule.SlotDecider.Skip;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SlotDeciderTest {
    private static final CronSlots HOURLY = CronSlots.parse("0 * * * *", null);
    private static final Duration ON_TIME = Duration.ofSeconds(5);
    private static final Instant TEN = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void a_slot_seen_in_time_runs_once() {
        Instant since = TEN.minus(Duration.ofHours(1));
        assertThat(SlotDecider.decide(HOURLY, since, TEN.plusSeconds(2), ON_TIME, MissedSlots.SKIP))
                .isEqualTo(new Run(TEN, false));
        assertThat(SlotDecider.decide(HOURLY, TEN, TEN.plusSeconds(3), ON_TIME, MissedSlots.SKIP))
                .as("recorded: not again").isEqualTo(new Nothing());
    }

    @Test
    void a_schedule_set_after_a_slot_does_not_run_it() {
        assertThat(SlotDecider.decide(HOURLY, TEN.plusSeconds(1), TEN.plusSeconds(2), ON_TIME, MissedSlots.RUN_ONCE))
                .isEqualTo(new Nothing());
    }

    @Test
    void a_missed_slot_runs_once_late_or_is_skipped_by_policy() {
        Instant since = TEN.minus(Duration.ofHours(3));
        Instant backUp = TEN.plus(Duration.ofMinutes(20));
        assertThat(SlotDecider.decide(HOURLY, since, backUp, ON_TIME, MissedSlots.RUN_ONCE))
                .as("only the latest missed slot").isEqualTo(new Run(TEN, true));
        assertThat(SlotDecider.decide(HOURLY, since, backUp, ON_TIME, MissedSlots.SKIP))
                .isEqualTo(new Skip(TEN, "missed by 1200 s (no backup-service ran at the slot); the schedule skips"
                        + " missed slots"));
    }

    @Test
    void the_on_time_bound_is_inclusive() {
        Instant since = TEN.minusSeconds(60);
        assertThat(SlotDecider.decide(HOURLY, since, TEN.plus(ON_TIME), ON_TIME, MissedSlots.SKIP))
                .isEqualTo(new Run(TEN, false));
        assertThat(SlotDecider.decide(HOURLY, since, TEN.plus(ON_TIME).plusMillis(1), ON_TIME, MissedSlots.SKIP))
                .isInstanceOf(Skip.class);
    }
}
