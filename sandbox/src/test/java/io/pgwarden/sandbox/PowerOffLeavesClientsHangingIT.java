package io.pgwarden.sandbox;

import org.junit.jupiter.api.Test;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A powered-off node answers nothing: a client connected to its PostgreSQL through the Service hears neither FIN nor
 * RST, so it fails when its socketTimeout says so, or waits on without one; a new connection gets no answer to its
 * SYN, so its connect timeout decides. Runs at a fifth of real time so the node stays Ready in the API (and the pod
 * an endpoint) for the whole check, as it does for 40 to 50 s in a real cluster.
 */
class PowerOffLeavesClientsHangingIT {

    @Test
    void clientsOfAPoweredOffNodeHearNothing() throws Exception {
        ExecutorService clients = Executors.newCachedThreadPool();
        try (DemoCluster cluster = DemoCluster.start(SandboxConfig.fast().withTimeScale(0.2))) {
            String node = cluster.awaitReady().getSpec().getNodeName();
            String url = cluster.sandbox.demoDatabaseJdbcUrl().orElseThrow();
            Connection withSocketTimeout = connect(url, Map.of("socketTimeout", "2"));
            Connection withoutTimeouts = connect(url, Map.of());

            cluster.sandbox.faults().powerOff(node);

            Future<Long> failedAfter = clients.submit(() -> millisUntilFailure(() -> select(withSocketTimeout)));
            Future<?> waiting = clients.submit(() -> select(withoutTimeouts));
            assertThat(failedAfter.get(10, TimeUnit.SECONDS)).as("fails on its socketTimeout, not on an EOF")
                    .isBetween(1_500L, 8_000L);

            SQLException[] refused = new SQLException[1];
            long connectFailedAfter = millisUntilFailure(() -> {
                try {
                    connect(url, Map.of("connectTimeout", "2")).close();
                } catch (SQLException e) {
                    refused[0] = e;
                    throw e;
                }
            });
            assertThat(connectFailedAfter).as("the connect timeout decides").isBetween(1_500L, 8_000L);
            assertThat(rootCause(refused[0])).isInstanceOf(SocketTimeoutException.class);

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> !waiting.isDone());
        } finally {
            clients.shutdownNow();
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static long millisUntilFailure(SqlAction action) {
        long start = System.nanoTime();
        try {
            action.run();
        } catch (SQLException expected) {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
        throw new AssertionError("it did not fail");
    }

    private static Void select(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
        return null;
    }

    private static Connection connect(String url, Map<String, String> settings) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        settings.forEach(props::setProperty);
        return DriverManager.getConnection(url, props);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
