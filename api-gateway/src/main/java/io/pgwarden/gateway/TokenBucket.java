package io.pgwarden.gateway;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: holds at most {@code burst} tokens, gains {@code perSecond} a second, and a request takes one. A
 * caller may send a burst at once, then keeps to the rate. Not thread-safe; the caller synchronises.
 */
final class TokenBucket {
    private final double burst;
    private final double perSecond;
    private double tokens;
    private Instant updated;

    TokenBucket(int burst, double perSecond, Instant now) {
        if (burst < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("a bucket needs a burst of at least 1 and a positive rate, got burst "
                    + burst + " and " + perSecond + "/s");
        }
        this.burst = burst;
        this.perSecond = perSecond;
        this.tokens = burst;
        this.updated = now;
    }

    /** Takes a token when there is one: {@link Duration#ZERO}; else how long until there is one (nothing taken). */
    Duration take(Instant now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil((1 - tokens) / perSecond * 1e9));
    }

    /** True when the bucket is full at now: forgetting it changes nothing. */
    boolean isFull(Instant now) {
        refill(now);
        return tokens >= burst;
    }

    private void refill(Instant now) {
        if (now.isAfter(updated)) {
            tokens = Math.min(burst, tokens + Duration.between(updated, now).toNanos() / 1e9 * perSecond);
            updated = now;
        }
    }
}
