package io.pgwarden.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A client that writes one row at a time through the database's Service and remembers every row whose commit was
 * acknowledged, reconnecting after each failure (a failover in between). What it remembers is what a failover must
 * not lose.
 */
final class AcknowledgedWriter implements AutoCloseable {
    private final Supplier<String> jdbcUrl;
    private final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
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
                    acknowledged.add(id);
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

    /** Stops writing; returns the acknowledged rows missing from the database now. */
    List<Long> stopAndFindLost() throws SQLException, InterruptedException {
        running = false;
        thread.join(10_000);
        Set<Long> present = new TreeSet<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id FROM acknowledged")) {
            while (r.next()) {
                present.add(r.getLong(1));
            }
        }
        List<Long> lost = new ArrayList<>();
        for (Long id : acknowledged) {
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
