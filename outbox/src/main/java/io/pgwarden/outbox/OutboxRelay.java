package io.pgwarden.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.contracts.Json;
import io.pgwarden.service.EventPublisher;
import io.pgwarden.service.Outage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the outbox in id order and deletes what the broker acknowledged. One relay at a time across
 * replicas (a transaction-scoped advisory lock), so the order of a key's events is the order their
 * transactions committed in. A crash between the ack and the delete sends a batch again: consumers may
 * see a duplicate, never a gap or a reordering. While the broker or the database is away it waits with
 * back-off, without a cap, and says so in its health.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Any constant the services agree on: the advisory lock that makes the relay single. */
    private static final long RELAY_LOCK = 0x7067_7761_7264_6e01L;
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final EventPublisher publisher;
    private final OutboxConfig config;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Counter relayed;
    private final Counter waited;
    private volatile Thread thread;
    private volatile boolean running;
    private final Outage outage;

    public OutboxRelay(DataSource dataSource, EventPublisher publisher, OutboxConfig config, Clock clock,
                       MeterRegistry meters) {
        this.dataSource = dataSource;
        this.publisher = publisher;
        this.config = config;
        this.outage = new Outage("outbox relay cannot publish, waiting for the broker or the database",
                "outbox relay publishing again", LOG, clock);
        this.relayed = meters.counter("pgwarden_outbox_relayed");
        this.waited = Counter.builder("pgwarden_dependency_wait_seconds").tag("dependency", "outbox-relay")
                .description("Time spent waiting for the broker or the database to come back").register(meters);
    }

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        wake();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(config.publishTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Something was committed to the outbox: publish it now rather than at the next poll. */
    public void wake() {
        wakeUps.release();
    }

    /** Waiting while the broker or the database is away. */
    public Outage outage() {
        return outage;
    }

    private void loop() {
        Duration backoff = config.retryMin();
        while (running) {
            try {
                Batch batch;
                do {
                    batch = relayBatch();
                } while (batch.failed() == 0 && batch.published() == config.batchSize() && running);
                if (batch.failed() > 0) {
                    throw new IllegalStateException(batch.failed() + " records not acknowledged: " + batch.error());
                }
                outage.recovered();
                backoff = config.retryMin();
                wakeUps.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | SQLException e) {
                outage.waiting(e);
                long start = System.nanoTime();
                sleep(backoff);
                waited.increment((System.nanoTime() - start) / 1e9);
                backoff = backoff.multipliedBy(2).compareTo(config.retryMax()) > 0 ? config.retryMax() : backoff.multipliedBy(2);
            }
        }
    }

    /** What one batch came to: records published (and deleted), and records the broker did not take. */
    record Batch(int published, int failed, String error) {
        static final Batch EMPTY = new Batch(0, 0, null);
    }

    /**
     * Publishes up to one batch in id order and deletes what the broker acknowledged. When acks are late, it
     * waits (holding the relay lock) until every send has succeeded or failed, as the producer decides within
     * its delivery timeout: sending the batch again while some of it is still in the producer could put a copy
     * of an early record after a later one. The records that failed stay and go again, in order, next time.
     */
    Batch relayBatch() throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            if (!tryLock(c)) {
                return Batch.EMPTY;
            }
            List<Long> ids = new ArrayList<>();
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, topic, record_key, headers::text, payload FROM outbox ORDER BY id LIMIT ?")) {
                s.setInt(1, config.batchSize());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        acks.add(publisher.send(rs.getString(2), rs.getString(3), headers(rs.getString(4)),
                                rs.getBytes(5)).toCompletableFuture());
                    }
                }
            }
            if (ids.isEmpty()) {
                return Batch.EMPTY;
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
            String error = null;
            try {
                all.get(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                error = e instanceof TimeoutException ? "no ack within " + config.publishTimeout()
                        : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
                outage.waiting(new IllegalStateException(error));
                all.handle((v, t) -> null).join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for acks", e);
            }
            List<Long> published = new ArrayList<>();
            for (int i = 0; i < acks.size(); i++) {
                if (!acks.get(i).isCompletedExceptionally()) {
                    published.add(ids.get(i));
                }
            }
            delete(c, published);
            relayed.increment(published.size());
            return new Batch(published.size(), ids.size() - published.size(), error);
        });
    }

    private static void delete(Connection c, List<Long> ids) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM outbox WHERE id = ANY (?)")) {
            Array array = c.createArrayOf("bigint", ids.toArray());
            d.setArray(1, array);
            d.executeUpdate();
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            s.setLong(1, RELAY_LOCK);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static Map<String, String> headers(String json) {
        try {
            return Json.MAPPER.readValue(json, HEADERS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
