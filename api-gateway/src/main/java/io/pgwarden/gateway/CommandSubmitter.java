package io.pgwarden.gateway;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.command.Command;
import io.pgwarden.outbox.Outbox;
import io.pgwarden.service.Correlation;
import io.pgwarden.service.EventPublisher;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a validated request into a command: its row, its {@code Idempotency-Key} and its outbox message
 * commit in one transaction, and only then is it answered. Kafka is not on this path: while the broker is
 * away the command waits in the outbox (the relay's readiness check says so) and the answer is still 202.
 * The only failure is the database's, and then the caller is told whether anything was stored.
 */
@ApplicationScoped
public class CommandSubmitter {
    private static final Logger LOG = Logger.getLogger(CommandSubmitter.class);

    private final DataSource dataSource;
    private final CommandStore store;
    private final IdempotencyKeys keys;
    private final Outbox outbox;
    private final EventPublisher publisher;
    private final GatewayConfig config;
    private final SecurityIdentity caller;
    private final RateLimits rateLimits;

    public CommandSubmitter(DataSource dataSource, CommandStore store, IdempotencyKeys keys, Outbox outbox,
                            EventPublisher publisher, GatewayConfig config, SecurityIdentity caller,
                            RateLimits rateLimits) {
        this.dataSource = dataSource;
        this.store = store;
        this.keys = keys;
        this.outbox = outbox;
        this.publisher = publisher;
        this.config = config;
        this.caller = caller;
        this.rateLimits = rateLimits;
    }

    /** A TTL for a kind that does not exist is a typo: fail the start rather than use the default silently. */
    void checkConfig(@Observes StartupEvent ignored) {
        Set<String> kinds = Arrays.stream(MessageType.values()).filter(MessageType::isCommand)
                .map(t -> t.bodyClass().getSimpleName()).collect(Collectors.toCollection(TreeSet::new));
        List<String> unknown = config.commandTtl().perKind().keySet().stream()
                .filter(k -> !k.equals("default") && !kinds.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("pgwarden.gateway.command-ttl names unknown command kinds " + unknown
                    + "; the kinds are " + kinds);
        }
        config.commandTtl().perKind().forEach((kind, ttl) -> requirePositive("pgwarden.gateway.command-ttl.\""
                + kind + "\"", ttl));
        requirePositive("pgwarden.gateway.command-ttl.default", config.commandTtl().defaultTtl());
    }

    private static void requirePositive(String name, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalStateException(name + " must be positive, is " + ttl);
        }
    }

    /** What a request came to. */
    public record Submitted(CommandView command, boolean replay) {
    }

    /**
     * Submits command for the signed-in caller, who is named on it ({@code ce_requestedby}) and in its status;
     * correlationId null makes the command its own correlation; idempotencyKey null means none (every such request
     * is a new command).
     *
     * @throws RateLimits.RateLimitedException               when the caller sent more commands than its limit
     * @throws IdempotencyKeys.IdempotencyKeyReusedException when the key names another request
     * @throws DatabaseUnavailableException                  when the database did not take the command
     */
    public Submitted submit(Command command, String correlationId, String idempotencyKey) {
        String requester = caller.isAnonymous() ? null : caller.getPrincipal().getName();
        String callerKey = requester == null ? "" : requester;
        rateLimits.take(callerKey);
        MessageType type = MessageType.of(command.getClass());
        MessageMetadata draft = publisher.newMetadata(type, command.subject(), correlationId);
        // Microseconds, as PostgreSQL keeps them: the 202, a later GET and the Kafka headers show the same times.
        Instant time = draft.time().truncatedTo(ChronoUnit.MICROS);
        MessageMetadata metadata = new MessageMetadata(draft.id(), draft.source(), draft.type(), time, draft.subject(),
                draft.correlationId(), time.plus(config.commandTtl().of(command.getClass())), requester);
        try (Correlation ignored = Correlation.open(metadata.correlationId())) {
            Submitted result = inTransaction(metadata, tx -> {
                if (idempotencyKey != null) {
                    IdempotencyKeys.Claim claim = keys.claim(tx, callerKey, idempotencyKey, RequestHash.of(command),
                            metadata.id(), metadata.time());
                    if (claim.replay()) {
                        return new Submitted(store.find(tx, claim.commandId()).orElseThrow(
                                () -> new SQLException("Idempotency-Key names command " + claim.commandId()
                                        + ", which is not stored")), true);
                    }
                }
                CommandView view = store.submitted(tx, metadata, command.subject());
                outbox.add(tx, metadata, command, command.subject());
                return new Submitted(view, false);
            });
            if (result.replay()) {
                LOG.infof("Idempotency-Key repeated: %s is command %s", type.ceType(), result.command().id());
            } else {
                outbox.committed();
                LOG.infof("submitted %s %s for %s by %s, expires at %s", metadata.type(), metadata.id(),
                        command.subject(), requester, metadata.expiresAt());
            }
            return result;
        }
    }

    @FunctionalInterface
    private interface Work {
        Submitted run(Connection tx) throws SQLException;
    }

    /**
     * One local transaction. A failure before the commit stored nothing; a failure of the commit itself
     * (the connection lost while committing) leaves the outcome unknown, and the answer says so.
     */
    private Submitted inTransaction(MessageMetadata command, Work work) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(command.id(), false, e);
        }
        try {
            Submitted result;
            try {
                c.setAutoCommit(false);
                result = work.run(c);
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw new DatabaseUnavailableException(command.id(), false, e);
            } catch (RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                throw new DatabaseUnavailableException(command.id(), true, e);
            }
            restoreAutoCommit(c);
            return result;
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debugf("closing a pooled connection failed: %s", e.getMessage());
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        restoreAutoCommit(c);
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debugf("cannot restore auto-commit on a pooled connection: %s", e.getMessage());
        }
    }

    /** The database did not take the command: a 503 that says whether anything may have been stored. */
    public static final class DatabaseUnavailableException extends RuntimeException {
        private final String commandId;
        private final boolean outcomeUnknown;

        DatabaseUnavailableException(String commandId, boolean outcomeUnknown, Throwable cause) {
            super((outcomeUnknown
                    ? "the database did not confirm storing command " + commandId + ": it may or may not be stored"
                    : "the database is unavailable: nothing was stored")
                    + " (" + cause.getMessage() + ")", cause);
            this.commandId = commandId;
            this.outcomeUnknown = outcomeUnknown;
        }

        public String commandId() {
            return commandId;
        }

        /** True when the commit itself failed: the command may have been stored (and will then be sent). */
        public boolean outcomeUnknown() {
            return outcomeUnknown;
        }
    }
}
