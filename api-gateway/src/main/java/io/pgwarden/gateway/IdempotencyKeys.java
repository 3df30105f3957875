package io.pgwarden.gateway;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

/**
 * {@code Idempotency-Key} records, in table {@code idempotency_key}: each key names the command the first
 * request with it made, for {@link GatewayConfig.Idempotency#retention()}.
 * <p>
 * Race-free without locks taken up front: the key's row is inserted with {@code ON CONFLICT}, which
 * makes a second transaction with the same key wait for the first to commit or roll back, and then read
 * the row back. Keys are per caller (column {@code caller}: the subject of the caller's token), so two callers
 * that happen to pick the same key do not share it.
 */
@ApplicationScoped
public class IdempotencyKeys {
    private static final Logger LOG = Logger.getLogger(IdempotencyKeys.class);

    private static final String CLAIM = """
            INSERT INTO idempotency_key (caller, idem_key, request_hash, command_id, created_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (caller, idem_key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
                command_id = EXCLUDED.command_id, created_at = EXCLUDED.created_at
            WHERE idempotency_key.created_at < ?
            RETURNING command_id""";
    private static final String READ = "SELECT request_hash, command_id FROM idempotency_key"
            + " WHERE caller = ? AND idem_key = ?";

    private final DataSource dataSource;
    private final GatewayConfig config;
    private final Clock clock;

    public IdempotencyKeys(DataSource dataSource, GatewayConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
    }

    /**
     * What a key names after this request.
     *
     * @param commandId the command the key names
     * @param replay    true when an earlier request with this key made it; the caller then stores nothing
     */
    public record Claim(String commandId, boolean replay) {
    }

    /**
     * In transaction tx: makes caller's key name commandId, or returns the command an earlier request of the
     * caller with the same key and hash made. A key older than the retention is taken over as if it were new.
     *
     * @throws IdempotencyKeyReusedException when the key names a request with another hash
     */
    public Claim claim(Connection tx, String caller, String key, String requestHash, String commandId, Instant now)
            throws SQLException {
        Instant expiredBefore = now.minus(config.idempotency().retention());
        // A cleanup may delete the row between the two statements; then the key is free again: claim anew.
        for (int attempt = 0; attempt < 3; attempt++) {
            try (PreparedStatement s = tx.prepareStatement(CLAIM)) {
                s.setString(1, caller);
                s.setString(2, key);
                s.setString(3, requestHash);
                s.setString(4, commandId);
                s.setTimestamp(5, Timestamp.from(now));
                s.setTimestamp(6, Timestamp.from(expiredBefore));
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return new Claim(commandId, false);
                    }
                }
            }
            try (PreparedStatement s = tx.prepareStatement(READ)) {
                s.setString(1, caller);
                s.setString(2, key);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        if (!requestHash.equals(rs.getString(1))) {
                            throw new IdempotencyKeyReusedException(key);
                        }
                        return new Claim(rs.getString(2), true);
                    }
                }
            }
        }
        throw new SQLException("Idempotency-Key '" + key + "' was claimed and removed three times in a row");
    }

    /** Removes the records older than the retention; several replicas may run it at once. */
    @Scheduled(every = "${pgwarden.gateway.idempotency.cleanup-interval:1h}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void cleanup() {
        try {
            int removed = removeOlderThan(clock.instant().minus(config.idempotency().retention()));
            LOG.debugf("removed %d Idempotency-Key records", removed);
        } catch (SQLException e) {
            LOG.warnf("cannot remove old Idempotency-Key records now, next try in %s: %s",
                    config.idempotency().cleanupInterval(), e.getMessage());
        }
    }

    /** Removes the records created before cutoff; returns how many. */
    public int removeOlderThan(Instant cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM idempotency_key WHERE created_at < ?")) {
            s.setTimestamp(1, Timestamp.from(cutoff));
            return s.executeUpdate();
        }
    }

    /** The key names a request with another body or path: a 422, nothing stored. */
    public static final class IdempotencyKeyReusedException extends RuntimeException {
        private final String key;

        IdempotencyKeyReusedException(String key) {
            super("Idempotency-Key '" + key + "' was already used for another request (another body or path);"
                    + " use a new key for a new request");
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
