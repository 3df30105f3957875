package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgwarden.e2e.BenchmarkSupport.StoppedOnExit;
import io.pgwarden.local.LocalLogging;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.SandboxConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.pgwarden.e2e.BenchmarkSupport.deleteQuietly;
import static io.pgwarden.e2e.BenchmarkSupport.describeCode;
import static io.pgwarden.e2e.BenchmarkSupport.loadAverage;
import static io.pgwarden.e2e.BenchmarkSupport.millis;
import static io.pgwarden.e2e.BenchmarkSupport.percentiles;

/**
 * The command path under load, end to end on the packaged system (the launcher the E2E scenarios use, on free
 * loopback ports and the sandbox's fast timings, with extra sandbox nodes), printed as a table:
 * <ol>
 *   <li>the REST → final status round trip of a single cordon or uncordon on an idle system (p50, p99, max);</li>
 *   <li>a burst of cordon/uncordon commands over many nodes from a bounded pool of REST clients: the gateway's
 *       accept rate, how long until every command is final, commands carried out per second end to end;</li>
 *   <li>during that burst, one cordon of a node outside it: how long an operation for another subject waits;</li>
 *   <li>event → decider wake-up latency, from failover-service's {@code pgwarden_operation_wakeup_seconds}
 *       if it has that metric.</li>
 * </ol>
 * A command is final when its SUCCEEDED, FAILED or REJECTED status is on {@code pgwarden.command-status.v1}, read
 * by a plain consumer assigned to every partition at its end before anything is sent (no GET polling, whose
 * interval would swamp the figures). Statuses are read leniently: only {@code commandId} and {@code state}.
 * <p>
 * Not a test: a {@code main} that surefire and failsafe do not pick up. Run it with
 * {@code e2e/scripts/command-benchmark} (builds and packages everything, then runs this; {@code --no-build} runs
 * what was built); settings after that: {@code -Dbenchmark.nodes=20 -Dbenchmark.warmup=20 -Dbenchmark.samples=200
 * -Dbenchmark.burst=5000 -Dbenchmark.clients=16 -Dbenchmark.otherDelayMs=1000 -Dbenchmark.drainSeconds=900}.
 * See e2e/README.md.
 */
public final class CommandPathBenchmark {
    private static final String STATUS_TOPIC = "pgwarden.command-status.v1";
    private static final Set<String> FINAL_STATES = Set.of("SUCCEEDED", "FAILED", "REJECTED");
    private static final String WAKEUP_METRIC = "pgwarden_operation_wakeup_seconds";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUND_TRIP_NODE = "node002";
    private static final String OTHER_SUBJECT_NODE = "node003";
    private static final int FIRST_BURST_NODE = 4;

    private final Settings settings;
    private final LocalStack stack;
    private final StatusFollower statuses;
    private final HttpClient http;
    private final List<String> loads = new ArrayList<>();
    /** False once a figure could not be measured in full (written by the other-subject thread too). */
    private volatile boolean complete = true;

    record Settings(int nodes, int warmup, int samples, int burst, int clients, Duration otherDelay,
                    Duration finalTimeout, Duration drainLimit, Duration requestTimeout) {

        static Settings fromSystemProperties() {
            Settings s = new Settings(Integer.getInteger("benchmark.nodes", 20),
                    Integer.getInteger("benchmark.warmup", 20),
                    Integer.getInteger("benchmark.samples", 200),
                    Integer.getInteger("benchmark.burst", 5000),
                    Integer.getInteger("benchmark.clients", 16),
                    Duration.ofMillis(Long.getLong("benchmark.otherDelayMs", 1000)),
                    Duration.ofSeconds(Long.getLong("benchmark.finalTimeoutSeconds", 60)),
                    Duration.ofSeconds(Long.getLong("benchmark.drainSeconds", 900)),
                    Duration.ofSeconds(30));
            if (s.nodes < FIRST_BURST_NODE || s.samples < 1 || s.warmup < 0 || s.burst < 1 || s.clients < 1) {
                throw new IllegalArgumentException("need benchmark.nodes >= " + FIRST_BURST_NODE
                        + ", samples >= 1, warmup >= 0, burst >= 1, clients >= 1: " + s);
            }
            return s;
        }

        List<String> burstNodes() {
            return IntStream.rangeClosed(FIRST_BURST_NODE, nodes).mapToObj(BenchmarkSupport::nodeName).toList();
        }
    }

    private CommandPathBenchmark(Settings settings, LocalStack stack, StatusFollower statuses) {
        this.settings = settings;
        this.stack = stack;
        this.statuses = statuses;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        LocalLogging.configure();
        Settings settings = Settings.fromSystemProperties();
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        Path state = Files.createTempDirectory("pgwarden-benchmark");
        List<String> nodes = IntStream.rangeClosed(1, settings.nodes()).mapToObj(BenchmarkSupport::nodeName)
                .toList();
        LocalStack stack = new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                // Benchmarks run at a real cluster's timings (heartbeats every 10 s, not 0.4 s).
                SandboxConfig.defaults().withDemoDatabase(false).withNodeNames(nodes), Duration.ofSeconds(180))
                .withServiceEnv(BenchmarkSupport.UNLIMITED));
        String loadAtStart = loadAverage();
        System.out.println("benchmark: starting the system (" + settings.nodes() + " sandbox nodes)…");
        int exit = 1;
        try (StoppedOnExit running = new StoppedOnExit(stack)) {
            running.start();
            try (StatusFollower statuses = new StatusFollower(stack.kafkaBootstrapServers())) {
                CommandPathBenchmark benchmark = new CommandPathBenchmark(settings, stack, statuses);
                benchmark.loads.add("start " + loadAtStart);
                exit = benchmark.run(root) ? 0 : 1;
            }
        } catch (Exception | Error e) {
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
        }
        if (exit == 0) {
            deleteQuietly(state);
        } else {
            StateDirectory.deleteAllButLogs(state);
            System.err.println("benchmark: the run's logs are kept in " + state.resolve("logs"));
        }
        System.exit(exit);
    }

    private boolean run(Path root) throws InterruptedException {
        List<String> burstNodes = settings.burstNodes();
        loads.add("idle phase " + loadAverage());
        String roundTrips = roundTrips();
        String wakeupIdle = wakeup();
        loads.add("burst " + loadAverage());
        String burst = burst(burstNodes);
        loads.add("end " + loadAverage());
        String wakeupBurst = wakeup();

        String table = String.format(Locale.ROOT, """

                ==== pgwarden command-path benchmark ==========================================================
                code      %s (%s)
                machine   %d cores, Java %s, load average (1/5/15 min): %s
                system    packaged services, real Kafka broker and PostgreSQL, sandbox at real timings, %d nodes:
                          round trips on %s, other-subject cordon on %s, burst over %s..%s (%d nodes)
                ------------------------------------------------------------------------------------------------
                1. single cordon/uncordon on an idle system, POST → final status on %s
                %s
                2. burst of %d cordon/uncordon commands, %d concurrent REST clients (HTTP/1.1)
                %s
                4. event → decider wake-up (failover-service /q/metrics %s; Micrometer's percentiles cover
                   about the last 2 minutes)
                   read after the idle round trips:
                %s
                   read after the burst (a command queued behind earlier ones on its node waits for them):
                %s
                ================================================================================================
                """, describeCode(root), root, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" | ", loads), settings.nodes(), ROUND_TRIP_NODE,
                OTHER_SUBJECT_NODE, burstNodes.get(0), burstNodes.get(burstNodes.size() - 1), burstNodes.size(),
                STATUS_TOPIC, roundTrips, settings.burst(), settings.clients(), burst, WAKEUP_METRIC, wakeupIdle,
                wakeupBurst);
        System.out.println(table);
        return complete;
    }

    /** Measure 1: sequential round trips, cordon and uncordon in turn, on an otherwise idle system. */
    private String roundTrips() throws InterruptedException {
        int total = settings.warmup() + settings.samples();
        System.out.printf(Locale.ROOT, "benchmark: %d round trips on %s (%d warm-up)…%n", total, ROUND_TRIP_NODE,
                settings.warmup());
        long deadline = System.nanoTime() + settings.drainLimit().toNanos();
        List<Long> samples = new ArrayList<>();
        Map<String, Integer> answers = new TreeMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int lost = 0;
        for (int i = 0; i < total && System.nanoTime() < deadline && lost < 5; i++) {
            String verb = i % 2 == 0 ? "cordon" : "uncordon";
            long sent = System.nanoTime();
            Optional<String> id = submit(ROUND_TRIP_NODE, verb, answers);
            if (id.isEmpty()) {
                lost++;
                continue;
            }
            Optional<Final> done = statuses.awaitFinal(id.get(), settings.finalTimeout());
            if (done.isEmpty()) {
                lost++;
                outcomes.merge("no final status within " + settings.finalTimeout().toSeconds() + " s", 1,
                        Integer::sum);
                continue;
            }
            if (i >= settings.warmup()) {
                samples.add(done.get().seenAt() - sent);
                outcomes.merge(done.get().state(), 1, Integer::sum);
            }
        }
        if (samples.size() < settings.samples()) {
            complete = false;
        }
        return String.format(Locale.ROOT, "   %d samples after %d warm-up; HTTP answers %s; final states %s%n   %s",
                samples.size(), settings.warmup(), answers, outcomes, percentiles(samples));
    }

    /** Measures 2 and 3: a burst from a bounded client pool, and one command for another node inside it. */
    private String burst(List<String> burstNodes) throws InterruptedException {
        int n = settings.burst();
        System.out.printf(Locale.ROOT, "benchmark: burst of %d commands over %d nodes, %d clients…%n", n,
                burstNodes.size(), settings.clients());
        String[] ids = new String[n];
        long[] sentAt = new long[n];
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicLong lastAnswer = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + settings.drainLimit().toNanos();

        CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> otherSubject(start, accepted, deadline));
        ExecutorService clients = Executors.newFixedThreadPool(settings.clients());
        for (int c = 0; c < settings.clients(); c++) {
            clients.execute(() -> {
                Map<String, Integer> mine = new TreeMap<>();
                for (int i = next.getAndIncrement(); i < n && System.nanoTime() < deadline; i = next.getAndIncrement()) {
                    String node = burstNodes.get(i % burstNodes.size());
                    String verb = (i / burstNodes.size()) % 2 == 0 ? "cordon" : "uncordon";
                    sentAt[i] = System.nanoTime();
                    Optional<String> id = submit(node, verb, mine);
                    lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
                    if (id.isPresent()) {
                        ids[i] = id.get();
                        accepted.incrementAndGet();
                    }
                }
                mine.forEach((k, v) -> answers.merge(k, v, Integer::sum));
            });
        }
        clients.shutdown();
        if (!clients.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            clients.shutdownNow();
            complete = false;
        }
        double submitSeconds = (lastAnswer.get() - start) / 1e9;

        List<Long> latencies = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        long lastFinal = start;
        int pending = 0;
        for (int i = 0; i < n; i++) {
            if (ids[i] == null) {
                continue;
            }
            long left = deadline - System.nanoTime();
            Optional<Final> done = statuses.awaitFinal(ids[i], Duration.ofNanos(Math.max(0, left)));
            if (done.isEmpty()) {
                pending++;
                continue;
            }
            outcomes.merge(done.get().state(), 1, Integer::sum);
            latencies.add(done.get().seenAt() - sentAt[i]);
            lastFinal = Math.max(lastFinal, done.get().seenAt());
        }
        String otherFigure = awaitQuietly(other, deadline);
        int finals = latencies.size();
        double drainSeconds = (lastFinal - start) / 1e9;
        if (pending > 0 || accepted.get() < n) {
            complete = false;
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "   gateway answered %d requests in %.1f s: %.0f requests/s; %s%n",
                answers.values().stream().mapToInt(Integer::intValue).sum(), submitSeconds,
                answers.values().stream().mapToInt(Integer::intValue).sum() / Math.max(submitSeconds, 1e-9),
                answers));
        text.append(String.format(Locale.ROOT, "   %d of %d accepted commands final %.1f s after the burst began"
                        + "%s: %.0f commands/s end to end; %s%n", finals, accepted.get(), drainSeconds,
                pending > 0 ? " (" + pending + " still not final at the " + settings.drainLimit().toSeconds()
                        + " s limit)" : "", finals / Math.max(drainSeconds, 1e-9), outcomes));
        text.append("   each command POST → final: ").append(percentiles(latencies)).append('\n');
        text.append("3. another subject during the burst\n").append(otherFigure);
        return text.toString();
    }

    /** Measure 3: one cordon of a node outside the burst, sent a moment after the burst began. */
    private String otherSubject(long burstStart, AtomicInteger acceptedSoFar, long deadline) {
        try {
            long sendAt = burstStart + settings.otherDelay().toNanos();
            while (System.nanoTime() < sendAt) {
                Thread.sleep(Math.max(1, (sendAt - System.nanoTime()) / 1_000_000));
            }
            long sent = System.nanoTime();
            int before = acceptedSoFar.get();
            Map<String, Integer> answer = new TreeMap<>();
            Optional<String> id = submit(OTHER_SUBJECT_NODE, "cordon", answer);
            if (id.isEmpty()) {
                complete = false;
                return "   cordon " + OTHER_SUBJECT_NODE + " was not accepted: " + answer;
            }
            Optional<Final> done = statuses.awaitFinal(id.get(),
                    Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            String when = String.format(Locale.ROOT, "   cordon %s sent %.1f s into the burst (%d burst commands "
                    + "accepted by then): ", OTHER_SUBJECT_NODE, (sent - burstStart) / 1e9, before);
            if (done.isEmpty()) {
                complete = false;
                return when + "no final status within the " + settings.drainLimit().toSeconds() + " s limit";
            }
            return when + String.format(Locale.ROOT, "POST → %s in %s", done.get().state(),
                    millis(done.get().seenAt() - sent));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "   interrupted";
        }
    }

    private String awaitQuietly(CompletableFuture<String> figure, long deadline) throws InterruptedException {
        try {
            return figure.get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(5),
                    TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            complete = false;
            return "   not measured: " + e;
        }
    }

    /** Measure 4, tolerant: the wake-up timer exists only once failover-service has an operation engine. */
    private String wakeup() {
        String url = stack.services().get("failover-service").url() + "/q/metrics";
        HttpResponse<String> metrics;
        try {
            metrics = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(settings.requestTimeout())
                    .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return "   n/a (" + url + " did not answer: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "   n/a (interrupted)";
        }
        if (metrics.statusCode() != 200) {
            return "   n/a (" + url + " answered " + metrics.statusCode() + ")";
        }
        return "   " + WakeupMetric.describe(metrics.body()).orElse("n/a (no operation engine)");
    }

    /** POSTs a node command; the command's id on 202, otherwise the answer counted in {@code answers}. */
    private Optional<String> submit(String node, String verb, Map<String, Integer> answers) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/nodes/" + node + "/"
                        + verb)).timeout(settings.requestTimeout()).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + stack.token(LocalStack.Role.OPERATOR))
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"benchmark\"}")).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            answers.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answers.merge("interrupted", 1, Integer::sum);
            return Optional.empty();
        }
        answers.merge(String.valueOf(response.statusCode()), 1, Integer::sum);
        if (response.statusCode() != 202) {
            return Optional.empty();
        }
        Optional<String> fromLocation = response.headers().firstValue("Location")
                .map(l -> l.substring(l.lastIndexOf('/') + 1)).filter(s -> !s.isBlank());
        return fromLocation.isPresent() ? fromLocation : idFromBody(response.body());
    }

    private static Optional<String> idFromBody(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return Optional.ofNullable(json.hasNonNull("commandId") ? json.get("commandId") : json.get("id"))
                    .map(JsonNode::asText);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** When a command's final status was read, and what it was. */
    record Final(String state, long seenAt) {
    }

    /**
     * Follows {@code pgwarden.command-status.v1} from its end at construction: every partition assigned, no
     * consumer group. Records the first final status of each command with the time it was read.
     */
    static final class StatusFollower implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, CompletableFuture<Final>> finals = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        StatusFollower(String bootstrapServers) {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(STATUS_TOPIC, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + STATUS_TOPIC + " has no partitions");
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // position() makes the seek happen now, so every status written after this point is read.
            partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
            thread = new Thread(this::follow, "benchmark-status-follower");
            thread.setDaemon(true);
            thread.start();
        }

        private void follow() {
            try {
                while (running.get()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    long seenAt = System.nanoTime();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        read(record, seenAt);
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private void read(ConsumerRecord<String, byte[]> record, long seenAt) {
            try {
                JsonNode status = JSON.readTree(record.value());
                String id = status.hasNonNull("commandId") ? status.get("commandId").asText() : record.key();
                String state = status.path("state").asText("");
                if (id != null && FINAL_STATES.contains(state)) {
                    finals.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(new Final(state, seenAt));
                }
            } catch (IOException | RuntimeException e) {
                // not a status this benchmark understands: not one of its commands' final statuses
            }
        }

        /** The command's first final status, waiting at most {@code timeout}; empty if none came. */
        Optional<Final> awaitFinal(String commandId, Duration timeout) throws InterruptedException {
            try {
                return Optional.of(finals.computeIfAbsent(commandId, k -> new CompletableFuture<>())
                        .get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            consumer.wakeup();
            thread.join(10_000);
        }
    }

    /**
     * Reads the wake-up timer from Prometheus text: client-side percentiles ({@code quantile="0.5"}) if published,
     * otherwise bucket bounds of a histogram ({@code _bucket{le=…}}); the worst series if there are several.
     */
    static final class WakeupMetric {
        private static final Pattern QUANTILE = Pattern.compile("quantile=\"([^\"]+)\"");
        private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

        static Optional<String> describe(String prometheusText) {
            Map<Double, Double> quantiles = new TreeMap<>();
            Map<Double, Double> buckets = new TreeMap<>();
            double count = 0;
            double max = Double.NaN;
            boolean found = false;
            for (String line : prometheusText.lines().toList()) {
                if (!line.startsWith(WAKEUP_METRIC)) {
                    continue;
                }
                int labelsEnd = line.indexOf('}');
                String head = labelsEnd >= 0 ? line.substring(0, labelsEnd + 1) : line.split("\\s+")[0];
                String[] rest = line.substring(head.length()).trim().split("\\s+");
                double value;
                try {
                    value = Double.parseDouble(rest[0]);
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    continue;
                }
                String name = head.contains("{") ? head.substring(0, head.indexOf('{')) : head;
                found = true;
                Matcher q = QUANTILE.matcher(head);
                Matcher le = LE.matcher(head);
                if (name.equals(WAKEUP_METRIC) && q.find()) {
                    quantiles.merge(parse(q.group(1)), value, Math::max);
                } else if (name.equals(WAKEUP_METRIC + "_bucket") && le.find()) {
                    buckets.merge(parse(le.group(1)), value, Double::sum);
                } else if (name.equals(WAKEUP_METRIC + "_count")) {
                    count += value;
                } else if (name.equals(WAKEUP_METRIC + "_max")) {
                    max = Double.isNaN(max) ? value : Math.max(max, value);
                }
            }
            if (!found) {
                return Optional.empty();
            }
            String p50 = quantile(quantiles, buckets, 0.5);
            String p99 = quantile(quantiles, buckets, 0.99);
            return Optional.of(String.format(Locale.ROOT, "p50 %s   p99 %s   max %s   (count %.0f)", p50, p99,
                    Double.isNaN(max) ? "n/a" : millis((long) (max * 1e9)), count));
        }

        private static String quantile(Map<Double, Double> quantiles, Map<Double, Double> buckets, double q) {
            Double direct = quantiles.get(q);
            if (direct != null && !direct.isNaN()) {
                return millis((long) (direct * 1e9));
            }
            double total = buckets.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            if (total <= 0) {
                return "n/a";
            }
            double previous = 0;
            for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
                if (bucket.getValue() >= q * total) {
                    return bucket.getKey().isInfinite() ? "> " + millis((long) (previous * 1e9))
                            : "≤ " + millis((long) (bucket.getKey() * 1e9));
                }
                previous = bucket.getKey();
            }
            return "n/a";
        }

        private static double parse(String number) {
            return switch (number) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(number);
            };
        }
    }

}
