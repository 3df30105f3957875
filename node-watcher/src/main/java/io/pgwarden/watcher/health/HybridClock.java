package io.pgwarden.watcher.health;

import java.time.Instant;

/**
 * The per-key sequence of health events, a hybrid logical clock: {@code next = max(last + 1, now in microseconds
 * since the epoch)}.
 *
 * <ul>
 *   <li>Within one process it strictly increases per key, even if the clock stands still or steps back.</li>
 *   <li>Across a restart or a change of leader nothing is carried over: the next replica's clock is ahead of every
 *       sequence the previous one issued, because a sequence runs ahead of its clock only by one per event
 *       published faster than one per microsecond for a key, and a takeover takes seconds (at least the time for
 *       the new leader to acquire the Lease). What it needs: replicas' clocks within that takeover gap of each
 *       other (NTP keeps them within milliseconds) and no clock set back across a restart by more than the
 *       restart takes.</li>
 *   <li>It also reads as a time: a sequence is never below its event's {@code observedAt} in microseconds.</li>
 * </ul>
 */
final class HybridClock {
    private HybridClock() {
    }

    static long next(long last, Instant now) {
        return Math.max(last + 1, micros(now));
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }
}
