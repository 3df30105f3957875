package io.pgwarden.e2e;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.local.LocalLogging;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/** What the benchmark programs share: their arithmetic, the machine and code they report, a system stopped on exit. */
final class BenchmarkSupport {

    /** A benchmark sends far more commands as one caller than the gateway's per-caller limit lets a person. */
    static final java.util.Map<String, String> UNLIMITED = java.util.Map.of("PGWARDEN_GATEWAY_RATE_LIMIT_ENABLED", "false");

    /** Held here: the logging framework keeps loggers only weakly, and the level set on one would be forgotten. */
    private static final java.util.logging.Logger POSTGRES_DRIVER_LOG = java.util.logging.Logger.getLogger("org.postgresql");

    private BenchmarkSupport() {
    }

    /** A benchmark's run on the checkout at {@code root}; true when every figure was measured. */
    interface Benchmark {
        boolean run(Path root) throws Exception;
    }

    /**
     * A benchmark's {@code main}: the local run's logging with the PostgreSQL driver's reconnect noise left out, the
     * checkout from {@code -Drepo.root}, and the exit status 0 only when the run measured everything.
     */
    static void runAndExit(Benchmark benchmark) {
        LocalLogging.configure();
        POSTGRES_DRIVER_LOG.setLevel(java.util.logging.Level.SEVERE);
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        int exit = 1;
        try {
            exit = benchmark.run(root) ? 0 : 1;
        } catch (Exception | Error e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
        }
        System.exit(exit);
    }

    /**
     * The packaged system on free loopback ports, its sandbox at a real cluster's timings with the given nodes and no
     * demo database, the gateway's per-caller limit off; not started.
     */
    static LocalStack atRealTimings(Path root, Path state, List<String> nodes) {
        return new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                SandboxConfig.defaults().withDemoDatabase(false).withNodeNames(nodes), Duration.ofSeconds(180))
                .withServiceEnv(UNLIMITED));
    }

    /**
     * When a write was first accepted through the database's Service by a PostgreSQL instance started after
     * {@code since}, within {@code limit} of it: an INSERT into its table {@code acknowledged} every 50 ms, each on a
     * new connection.
     */
    static Optional<Instant> writeByANewInstance(Sandbox sandbox, String db, Instant since, Duration limit) {
        Duration left = Duration.between(Instant.now(), since.plus(limit));
        try {
            return await().atMost(left.isNegative() ? Duration.ZERO : left).pollInterval(Duration.ofMillis(50))
                    .until(() -> writeOnce(sandbox, db, since), Optional::isPresent);
        } catch (ConditionTimeoutException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> writeOnce(Sandbox sandbox, String db, Instant since) {
        Optional<Integer> port = sandbox.servicePort(DemoDatabase.NAMESPACE, db);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port.get()
                + "/postgres?connectTimeout=1&socketTimeout=2", "postgres", "");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("INSERT INTO acknowledged (id) VALUES (-1) ON CONFLICT (id) DO"
                     + " UPDATE SET id = -1 RETURNING pg_postmaster_start_time()")) {
            Instant accepted = Instant.now();
            return r.next() && r.getTimestamp(1).toInstant().isAfter(since) ? Optional.of(accepted) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty(); // down, starting, or a standby's refusal: try again
        }
    }

    /** {@code p50 … p99 … max … (n=…)} of durations in nanoseconds, nearest rank. */
    static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "no samples";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "p50 %s   p99 %s   max %s   (n=%d)", millis(rank(sorted, 0.50)),
                millis(rank(sorted, 0.99)), millis(sorted[sorted.length - 1]), sorted.length);
    }

    /** The nearest-rank percentile. */
    static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.min(sorted.length - 1, Math.max(0, index))];
    }

    static String millis(long nanos) {
        return nanos >= 1_000_000_000L ? String.format(Locale.ROOT, "%.2f s", nanos / 1e9)
                : String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** The sandbox's node names: node001, node002, … */
    static String nodeName(int i) {
        return String.format(Locale.ROOT, "node%03d", i);
    }

    /**
     * Pulls the database's image onto every node with a pod that only sleeps, as an image pre-puller DaemonSet does,
     * then deletes those pods: a failover or a move then never waits for a pull (30 s in the sandbox).
     */
    static void prePull(KubernetesClient client, List<String> nodes) {
        System.out.printf(Locale.ROOT, "benchmark: pre-pulling %s on %d nodes…%n", DemoDatabase.IMAGE, nodes.size());
        String ns = DemoDatabase.NAMESPACE;
        for (String node : nodes) {
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("prepull-" + node)
                    .withNamespace(ns).endMetadata().withNewSpec().withNodeName(node).addNewContainer()
                    .withName("prepull").withImage(DemoDatabase.IMAGE).endContainer().endSpec().build()).create();
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> nodes.stream()
                .allMatch(n -> hasImage(client.nodes().withName(n).get())));
        for (String node : nodes) {
            client.pods().inNamespace(ns).withName("prepull-" + node).delete();
        }
    }

    private static boolean hasImage(Node node) {
        return node.getStatus().getImages() != null && node.getStatus().getImages().stream()
                .anyMatch(i -> i.getNames().contains(DemoDatabase.IMAGE));
    }

    /** 1, 5 and 15 minute load averages from {@code /proc/loadavg}. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.asList(fields).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** {@code git describe --always --dirty} of the checkout, so the figures say what code they measured. */
    static String describeCode(Path root) {
        try {
            Process git = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            if (!git.waitFor(10, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return "unknown commit";
            }
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.exitValue() == 0 ? "commit " + out : "unknown commit";
        } catch (IOException e) {
            return "unknown commit";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown commit";
        }
    }

    /** A run's state directory (broker, PostgreSQL, logs): tens of megabytes per run. */
    static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.err.println("benchmark: could not delete " + dir + ": " + e);
        }
    }

    /**
     * A system a benchmark starts: stopped by {@link #close()} at the normal end, or by a Ctrl-C while it runs,
     * whichever comes first.
     */
    static final class StoppedOnExit implements AutoCloseable {
        private final LocalStack stack;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread hook;

        StoppedOnExit(LocalStack stack) {
            this.stack = stack;
            this.hook = new Thread(this::stop, "benchmark-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        LocalStack start() {
            return stack.start();
        }

        private void stop() {
            if (stopped.compareAndSet(false, true)) {
                stack.close();
            }
        }

        @Override
        public void close() {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down (Ctrl-C): the hook has done the stopping
            }
        }
    }
}
