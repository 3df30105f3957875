package io.pgwarden.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** How the gateway submits commands. */
@ConfigMapping(prefix = "pgwarden.gateway")
public interface GatewayConfig {

    /** How long a submitted command may wait before the service that runs it rejects it as expired. */
    CommandTtl commandTtl();

    /** How {@code Idempotency-Key} records are kept. */
    Idempotency idempotency();

    /** How many commands each caller may send. */
    RateLimit rateLimit();

    /** The event stream, {@code /api/v1/events}. */
    Events events();

    /** Verified bearer tokens ({@link VerifiedTokens}). */
    TokenCache tokenCache();

    /** The gateway's copies of failover-service's managed databases and incidents ({@link ClusterReadModel}). */
    Reads reads();

    /**
     * failover-service's HTTP address, where the copies of incidents and clusters are fetched (in a cluster, its Service:
     * {@code http://failover-service.pgwarden.svc:8082}).
     */
    @WithDefault("http://127.0.0.1:8082")
    URI failoverUrl();

    /**
     * How long an incident or cluster read waits for failover-service to connect and to answer; then the caller
     * gets a 503 saying it did not answer, rather than a request that hangs.
     */
    @WithDefault("5s")
    Duration failoverTimeout();

    /**
     * backup-service's HTTP address, where backup and restore reads are forwarded (in a cluster, its Service:
     * {@code http://backup-service.pgwarden.svc:8083}).
     */
    @WithDefault("http://127.0.0.1:8083")
    URI backupUrl();

    /** How long a backup or restore read waits for backup-service; then the caller gets a 503 saying it did not answer. */
    @WithDefault("5s")
    Duration backupTimeout();

    /**
     * The expiry the gateway gives each command ({@code ce_expiresat} = {@code ce_time} + TTL). A command
     * that reaches its service later is REJECTED "expired", so a command stuck in an outage, or replayed
     * by a new consumer group, never acts on a cluster that has moved on.
     * <pre>
     * pgwarden.gateway.command-ttl.default=15m
     * pgwarden.gateway.command-ttl."TakeBackup"=1h
     * </pre>
     */
    interface CommandTtl {

        /** The TTL of a command kind that has none of its own. */
        @WithName("default")
        @WithDefault("15m")
        Duration defaultTtl();

        /**
         * TTLs per command kind, by the command's simple name ({@code CordonNode}, {@code UncordonNode},
         * {@code TakeBackup}, …); the key {@code default} is {@link #defaultTtl()}. An unknown kind fails
         * the start, so a typo does not silently fall back to the default.
         */
        @WithParentName
        Map<String, Duration> perKind();

        /** The TTL of a command kind. */
        default Duration of(Class<?> kind) {
            return perKind().getOrDefault(kind.getSimpleName(), defaultTtl());
        }
    }

    interface Idempotency {

        /**
         * How long a key keeps naming its command; a request with the key after that starts a new command.
         * Keep it at least as long as any client retries (a day by default).
         */
        @WithDefault("24h")
        Duration retention();

        /** How often records older than {@link #retention()} are removed. */
        @WithDefault("1h")
        Duration cleanupInterval();
    }

    /**
     * Commands per caller (the token's subject), as a token bucket: {@code burst} at once, then
     * {@code commands-per-second}; more is a 429 with {@code Retry-After}. Reads are not limited.
     */
    interface RateLimit {

        /** Off only where one caller must send more, e.g. a benchmark of the command path. */
        @WithDefault("true")
        boolean enabled();

        /** The commands a caller may send at once, after being idle. */
        @WithDefault("20")
        int burst();

        /** The sustained rate once the burst is spent. */
        @WithDefault("5")
        double commandsPerSecond();
    }

    interface Reads {

        /** How often the copies are fetched from failover-service: how much older than now an answer may be. */
        @WithDefault("500ms")
        Duration refresh();

        /**
         * How old a copy may grow while failover-service does not answer before reads fail with the reason (503)
         * rather than show it.
         */
        @WithDefault("30s")
        Duration staleAfter();
    }

    interface TokenCache {

        /** How long a verified token is taken as verified (at most until it expires); 0 checks every request. */
        @WithDefault("10s")
        Duration ttl();
    }

    interface Events {

        /** How often an idle stream gets a {@code : heartbeat} comment, so proxies and load balancers keep it open. */
        @WithDefault("15s")
        Duration heartbeat();

        /**
         * Events a client may fall behind by; a client slower than that loses its stream and resumes with
         * {@code Last-Event-ID}, rather than the gateway buffering for it without end.
         */
        @WithDefault("1000")
        int clientBuffer();
    }
}
