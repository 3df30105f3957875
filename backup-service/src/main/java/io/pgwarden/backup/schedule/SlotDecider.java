package io.pgwarden.backup.schedule;

import io.pgwarden.contracts.command.MissedSlots;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a schedule has a slot to run now. A slot is run (or skipped) once: the caller records it before it submits
 * the backup, under a unique key, so a restart or a second replica never runs it again.
 */
public final class SlotDecider {
    private SlotDecider() {
    }

    /** What to do with a schedule at {@code now}. */
    public sealed interface Verdict {
    }

    /** Nothing is due. */
    public record Nothing() implements Verdict {
    }

    /** Run the backup of {@code slot}; {@code late} when it runs after the service missed it. */
    public record Run(Instant slot, boolean late) implements Verdict {
    }

    /** Record {@code slot} as skipped, saying why. */
    public record Skip(Instant slot, String reason) implements Verdict {
    }

    /**
     * @param slots  the schedule's cron
     * @param since  the last slot recorded for the schedule, or when the schedule was set if none ran yet: slots at
     *               or before it are never run
     * @param now    the time of this check
     * @param onTime how late a slot may be seen and still count as on time (a few check intervals)
     * @param missed the policy for a slot seen later than that
     */
    public static Verdict decide(CronSlots slots, Instant since, Instant now, Duration onTime, MissedSlots missed) {
        Optional<Instant> latest = slots.latestAtOrBefore(now);
        if (latest.isEmpty() || !latest.get().isAfter(since)) {
            return new Nothing();
        }
        Instant slot = latest.get();
        Duration lateness = Duration.between(slot, now);
        if (lateness.compareTo(onTime) <= 0) {
            return new Run(slot, false);
        }
        return switch (missed) {
            case RUN_ONCE -> new Run(slot, true);
            case SKIP -> new Skip(slot, "missed by " + lateness.toSeconds() + " s (no backup-service ran at the slot);"
                    + " the schedule skips missed slots");
        };
    }
}
