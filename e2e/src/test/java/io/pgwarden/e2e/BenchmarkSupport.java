package io.pgwarden.e2e;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.DemoDatabase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/** What the benchmark programs share: their arithmetic, the machine and code they report, a system stopped on exit. */
final class BenchmarkSupport {

    /** A benchmark sends far more commands as one caller than the gateway's per-caller limit lets a person. */
    static final java.util.Map<String, String> UNLIMITED = java.util.Map.of("PGWARDEN_GATEWAY_RATE_LIMIT_ENABLED", "false");

    private BenchmarkSupport() {
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
