package io.pgwarden.operations.core;

import io.pgwarden.contracts.MessageMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a command is too old to act on. A command carries its own expiry, or gets the service's
 * default age limit counted from when it was sent, so a replay of last week's commands (a new consumer
 * group reading from the earliest offset) never acts on today's cluster.
 */
public final class Expiry {
    private Expiry() {
    }

    public static Instant expiresAt(MessageMetadata command, Duration defaultTtl) {
        return command.expiresAt() != null ? command.expiresAt() : command.time().plus(defaultTtl);
    }

    /** The reason to reject it, when it expired before now. */
    public static Optional<String> expired(MessageMetadata command, Duration defaultTtl, Instant now) {
        Instant expiry = expiresAt(command, defaultTtl);
        if (!now.isAfter(expiry)) {
            return Optional.empty();
        }
        return Optional.of("expired: sent at " + command.time() + ", expired at " + expiry
                + (command.expiresAt() == null ? " (default age limit " + defaultTtl + ")" : "")
                + ", seen at " + now);
    }
}
