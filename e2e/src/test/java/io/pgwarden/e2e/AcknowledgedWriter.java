package io.pgwarden.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A client that writes one row at a time through the database's Service and remembers every row whose commit was
 * acknowledged, reconnecting after each failure (a failover in between). What it remembers is what a failover must
 * not lose. It remembers when each commit was acknowledged, so a benchmark can tell when writes came back.
 */
final class AcknowledgedWriter implements AutoCloseable {
    private final Supplier<String> jdbcUrl;
    /** Row id → when its commit was acknowledged; ids rise with time (one thread writes). */
    private final ConcurrentSkipListMap<Long, Instant> acknowledged = new ConcurrentSkipListMap<>();
    private final AtomicLong next = new AtomicLong(1);
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    AcknowledgedWriter(Supplier<String> jdbcUrl) throws SQLException {
        this.jdbcUrl = jdbcUrl;
        // A pod just Ready may not be behind its Service's proxy yet: the first connection is retried for a while.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS acknowledged (id bigint PRIMARY KEY)");
                break;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
        thread = new Thread(this::run, "acknowledged-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl.get() + "?connectTimeout=2&socketTimeout=3", "postgres", "");
        c.setAutoCommit(true);
        return c;
    }

    private void run() {
        while (running) {
            try (Connection c = connect(); PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO acknowledged (id) VALUES (?) ON CONFLICT DO NOTHING")) {
                while (running) {
                    long id = next.getAndIncrement();
                    insert.setLong(1, id);
                    insert.executeUpdate();
                    acknowledged.put(id, Instant.now());
                    Thread.sleep(10);
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                pause();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rows acknowledged so far. */
    int count() {
        return acknowledged.size();
    }

    long failures() {
        return failures.get();
    }

    /**
     * When writes came back after an outage that began at {@code instant}: the first acknowledged commit after it
     * that follows the one before by more than {@code gap} (a commit in flight at the instant does not count).
     */
    Optional<Instant> writesResumedAfter(Instant instant, Duration gap) {
        Instant previous = null;
        for (Instant at : acknowledged.values()) {
            if (previous != null && at.isAfter(instant) && Duration.between(previous, at).compareTo(gap) > 0) {
                return Optional.of(at);
            }
            previous = at;
        }
        return Optional.empty();
    }

    /** Stops writing; returns the acknowledged rows missing from the database now. */
    List<Long> stopAndFindLost() throws SQLException, InterruptedException {
        running = false;
        thread.join(10_000);
        return findLost();
    }

    /**
     * The rows acknowledged so far that the database does not have, while writing goes on: the acknowledged rows are
     * taken before the query, so each of them was committed before the query began.
     */
    List<Long> findLost() throws SQLException {
        Map<Long, Instant> before = new TreeMap<>(acknowledged);
        Set<Long> present = new TreeSet<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id FROM acknowledged")) {
            while (r.next()) {
                present.add(r.getLong(1));
            }
        }
        List<Long> lost = new ArrayList<>();
        for (Long id : before.keySet()) {
            if (!present.contains(id)) {
                lost.add(id);
            }
        }
        return lost;
    }

    @Override
    public void close() {
        running = false;
    }
}
