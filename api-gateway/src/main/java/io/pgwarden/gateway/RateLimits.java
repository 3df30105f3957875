package io.pgwarden.gateway;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Commands per caller (the token's subject): a {@link TokenBucket} each, so one script in a loop cannot flood the
 * services for everyone. Reads are not limited. A caller over its limit gets a 429 with {@code Retry-After}.
 */
@ApplicationScoped
public class RateLimits {
    private final GatewayConfig.RateLimit config;
    private final Clock clock;
    /** Guarded by this. */
    private final Map<String, TokenBucket> buckets = new HashMap<>();

    public RateLimits(GatewayConfig config, Clock clock) {
        this.config = config.rateLimit();
        this.clock = clock;
    }

    /** Takes one command from subject's allowance, or throws saying when to try again. */
    public void take(String subject) {
        if (!config.enabled()) {
            return;
        }
        Instant now = clock.instant();
        Duration wait;
        synchronized (this) {
            wait = buckets.computeIfAbsent(subject,
                    s -> new TokenBucket(config.burst(), config.commandsPerSecond(), now)).take(now);
        }
        if (!wait.isZero()) {
            throw new RateLimitedException(subject, wait, config);
        }
    }

    /** A full bucket is the same as none: dropping them keeps the map to the callers active lately. */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void forgetIdle() {
        Instant now = clock.instant();
        buckets.values().removeIf(b -> b.isFull(now));
    }

    /** A 429: the caller sent more commands than its limit allows. */
    public static final class RateLimitedException extends RuntimeException {
        private final long retryAfterSeconds;

        RateLimitedException(String subject, Duration wait, GatewayConfig.RateLimit limit) {
            super(subject + " sent more than " + limit.burst() + " commands at once or more than "
                    + limit.commandsPerSecond() + " a second; retry in " + seconds(wait) + " s");
            this.retryAfterSeconds = seconds(wait);
        }

        /** Whole seconds, rounded up: {@code Retry-After} has no fractions, and 0 would invite a retry too soon. */
        private static long seconds(Duration wait) {
            return Math.max(1, (wait.toMillis() + 999) / 1000);
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
