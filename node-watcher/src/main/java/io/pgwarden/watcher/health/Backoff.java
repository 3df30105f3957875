package io.pgwarden.watcher.health;

import java.time.Duration;

/** How long to wait before the next attempt after {@code failures} failed ones: doubling from initial, capped. */
public record Backoff(Duration initial, Duration max) {

    public Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        Duration delay = initial;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
