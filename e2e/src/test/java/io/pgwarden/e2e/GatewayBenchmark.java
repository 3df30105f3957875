package io.pgwarden.e2e;

import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.e2e.BenchmarkSupport.StoppedOnExit;
import io.pgwarden.local.LocalLogging;
import io.pgwarden.local.LocalStack;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.testing.TopicProbe;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.File;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.pgwarden.e2e.BenchmarkSupport.deleteQuietly;
import static io.pgwarden.e2e.BenchmarkSupport.describeCode;
import static io.pgwarden.e2e.BenchmarkSupport.loadAverage;
import static io.pgwarden.e2e.BenchmarkSupport.percentiles;
import static io.pgwarden.e2e.BenchmarkSupport.rank;

/**
 * The gateway under load (issue 11, "Performance"), on the packaged system like {@link CommandPathBenchmark}:
 * <ol>
 *   <li>reads: {@code GET /api/v1/clusters} (a viewer's token) from a fixed number of connections for a fixed time;</li>
 *   <li>the event stream: 100 clients on {@code GET /api/v1/events} (read by one thread, {@link SseClients}), and
 *       for each event produced on {@code pgwarden.activity.v1} the time from its send (acknowledged by the broker)
 *       to each client reading it;</li>
 *   <li>commands: {@code POST /api/v1/nodes/{node}/cordon|uncordon} (an operator's token: token check, validation,
 *       the command stored with its outbox row) from the same connections; last, as the system then carries them out.</li>
 * </ol>
 * Each figure is requests/s and p50/p99 of the answer time, against issue 11's goals, printed MET or NOT MET.
 * HTTP/1.1 from {@code wrk} when it is installed ({@code apt-get install wrk}), else from the JDK's client, one
 * connection per client thread; the services run with every JIT tier, as in their containers. Not a test: run it with
 * {@code e2e/scripts/gateway-benchmark} ({@code --no-build} runs what was built); settings: {@code
 * -Dbenchmark.connections=32 -Dbenchmark.warmupSeconds=5 -Dbenchmark.seconds=20 -Dbenchmark.sseClients=100
 * -Dbenchmark.sseEvents=200 -Dbenchmark.client=wrk|jdk}. See e2e/README.md.
 */
public final class GatewayBenchmark {
    private static final int NODES = 6;
    private static final String MARKER = "gateway-benchmark-";

    private final Settings settings;
    private final LocalStack stack;
    private final HttpClient http;

    /** @param wrk whether reads and commands come from {@code wrk} (on the PATH) rather than the JDK's client */
    record Settings(int connections, Duration warmup, Duration duration, int sseClients, int sseEvents, boolean wrk) {
        static Settings fromSystemProperties() {
            String client = System.getProperty("benchmark.client", wrkInstalled() ? "wrk" : "jdk");
            if (!client.equals("wrk") && !client.equals("jdk")) {
                throw new IllegalArgumentException("benchmark.client must be wrk or jdk, not " + client);
            }
            return new Settings(Integer.getInteger("benchmark.connections", 32),
                    Duration.ofSeconds(Long.getLong("benchmark.warmupSeconds", 5)),
                    Duration.ofSeconds(Long.getLong("benchmark.seconds", 20)),
                    Integer.getInteger("benchmark.sseClients", 100),
                    Integer.getInteger("benchmark.sseEvents", 200), client.equals("wrk"));
        }

        private static boolean wrkInstalled() {
            return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, "wrk")));
        }
    }

    /** What a load phase measured: successful answers per second and the answer times of all answers. */
    record Load(double perSecond, long p50, long p99, String text) {
    }

    private GatewayBenchmark(Settings settings, LocalStack stack) {
        this.settings = settings;
        this.stack = stack;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        LocalLogging.configure();
        Settings settings = Settings.fromSystemProperties();
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        Path state = Files.createTempDirectory("pgwarden-gateway-benchmark");
        List<String> nodes = IntStream.rangeClosed(1, NODES).mapToObj(BenchmarkSupport::nodeName).toList();
        LocalStack stack = new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                SandboxConfig.defaults().withDemoDatabase(true).withNodeNames(nodes), Duration.ofSeconds(180))
                .withServiceEnv(BenchmarkSupport.UNLIMITED)
                .withServiceJvmOptions(ServiceProcess.SMALL_AND_FULLY_COMPILED));
        String loadAtStart = loadAverage();
        System.out.println("benchmark: starting the system…");
        int exit = 1;
        try (StoppedOnExit running = new StoppedOnExit(stack)) {
            running.start();
            exit = new GatewayBenchmark(settings, stack).run(root, loadAtStart) ? 0 : 1;
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

    private boolean run(Path root, String loadAtStart) throws Exception {
        List<String> loads = new ArrayList<>(List.of("start " + loadAtStart));
        String viewer = "Bearer " + stack.token(LocalStack.Role.VIEWER);
        String operator = "Bearer " + stack.token(LocalStack.Role.OPERATOR);

        List<String> commandPaths = IntStream.range(0, 2 * NODES).mapToObj(i -> "/api/v1/nodes/"
                + BenchmarkSupport.nodeName(1 + i % NODES) + (i / NODES == 0 ? "/cordon" : "/uncordon")).toList();
        String commandBody = "{\"reason\":\"benchmark\"}";

        loads.add("reads " + loadAverage());
        Load reads = settings.wrk() ? wrk("GET /api/v1/clusters", "GET", null, List.of("/api/v1/clusters"), viewer)
                : load("GET /api/v1/clusters", 200, i -> HttpRequest.newBuilder(
                URI.create(stack.gatewayUrl() + "/api/v1/clusters")).header("Authorization", viewer).GET().build());
        loads.add("events " + loadAverage());
        Load events = events(viewer);
        loads.add("commands " + loadAverage());
        String cordons = "POST /api/v1/nodes/{node}/cordon|uncordon";
        Load commands = settings.wrk() ? wrk(cordons, "POST", commandBody, commandPaths, operator)
                : load(cordons, 202, i -> HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                                + commandPaths.get(i % commandPaths.size())))
                        .header("Authorization", operator).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(commandBody)).build());
        loads.add("end " + loadAverage());

        System.out.printf(Locale.ROOT, """

                ==== pgwarden gateway benchmark ===============================================================
                code      %s (%s)
                machine   %d cores, Java %s, load average (1/5/15 min): %s
                system    packaged services, real Kafka broker and PostgreSQL, sandbox (%d nodes, the demo database)
                load      %d connections (HTTP/1.1, %s), %d s warm-up then %d s measured per phase
                ------------------------------------------------------------------------------------------------
                1. reads   %s
                           goal >= 15,000 reads/s with p99 <= 10 ms: %s
                2. events  %s
                           goal p99 <= 50 ms: %s
                3. commands %s
                           goal >= 8,000 commands/s with p99 <= 20 ms: %s
                ================================================================================================
                """, describeCode(root), root, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" | ", loads), NODES, settings.connections(),
                settings.wrk() ? "wrk, one thread" : "JDK client, a thread per connection", settings.warmup().toSeconds(),
                settings.duration().toSeconds(), reads.text(),
                met(reads.perSecond() >= 15_000 && reads.p99() <= 10_000_000L), events.text(),
                met(events.p99() <= 50_000_000L), commands.text(),
                met(commands.perSecond() >= 8_000 && commands.p99() <= 20_000_000L));
        return reads.perSecond() > 0 && commands.perSecond() > 0 && events.p99() < Long.MAX_VALUE;
    }

    /**
     * The same closed loop from {@code wrk} (one thread; far lighter than the JDK's client, which needs a core for
     * 3,000 requests/s): a warm-up run, then the measured one. Its Lua script reports the totals and percentiles.
     */
    private Load wrk(String what, String method, String body, List<String> paths, String authorization)
            throws IOException, InterruptedException {
        System.out.printf(Locale.ROOT, "benchmark: %s from %d connections (wrk)…%n", what, settings.connections());
        Path script = Files.createTempFile("gateway-benchmark", ".lua");
        try (var lua = GatewayBenchmark.class.getResourceAsStream("/gateway-benchmark.lua")) {
            Files.write(script, lua.readAllBytes());
        }
        try {
            runWrk(settings.warmup(), method, body, paths, authorization, script);
            Map<String, Long> r = runWrk(settings.duration(), method, body, paths, authorization, script);
            double seconds = r.get("duration_us") / 1e6;
            long answered = r.get("requests") - r.get("non2xx");
            double perSecond = answered / seconds;
            return new Load(perSecond, r.get("p50_us") * 1000, r.get("p99_us") * 1000, String.format(Locale.ROOT,
                    "%s: %.0f answered 2xx/s; %d requests in %.1f s, %d not 2xx, %d socket errors%n"
                            + "           each answer: p50 %.1f ms   p99 %.1f ms   max %.1f ms", what, perSecond,
                    r.get("requests"), seconds, r.get("non2xx"), r.get("socket_errors"), r.get("p50_us") / 1e3,
                    r.get("p99_us") / 1e3, r.get("max_us") / 1e3));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private Map<String, Long> runWrk(Duration duration, String method, String body, List<String> paths,
                                     String authorization, Path script) throws IOException, InterruptedException {
        ProcessBuilder wrk = new ProcessBuilder("wrk", "-t1", "-c" + settings.connections(),
                "-d" + duration.toSeconds() + "s", "--timeout", "10s", "-s", script.toString(),
                "-H", "Authorization: " + authorization, stack.gatewayUrl()).redirectErrorStream(true);
        wrk.environment().put("WRK_METHOD", method);
        wrk.environment().put("WRK_PATHS", String.join(",", paths));
        wrk.environment().put("WRK_BODY", body == null ? "" : body);
        Process process = wrk.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no RESULT line: " + output));
        Map<String, Long> values = new TreeMap<>();
        for (String pair : result.substring(7).split(" ")) {
            String[] kv = pair.split("=");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    private static String met(boolean met) {
        return met ? "MET" : "NOT MET";
    }

    /** Closed-loop load: each connection sends its next request when the last is answered; warm-up not counted. */
    private Load load(String what, int expected, IntFunction<HttpRequest> request) throws InterruptedException {
        System.out.printf(Locale.ROOT, "benchmark: %s from %d connections…%n", what, settings.connections());
        long start = System.nanoTime();
        long measureFrom = start + settings.warmup().toNanos();
        long end = measureFrom + settings.duration().toNanos();
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        List<List<Long>> times = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < settings.connections(); c++) {
            List<Long> mine = new ArrayList<>();
            times.add(mine);
            int connection = c;
            Thread thread = new Thread(() -> {
                Map<String, Integer> counted = new TreeMap<>();
                for (int i = connection; System.nanoTime() < end; i += settings.connections()) {
                    long sent = System.nanoTime();
                    String answer;
                    try {
                        answer = String.valueOf(http.send(request.apply(i), HttpResponse.BodyHandlers.discarding())
                                .statusCode());
                    } catch (IOException e) {
                        answer = e.getClass().getSimpleName();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (sent >= measureFrom) {
                        mine.add(System.nanoTime() - sent);
                        counted.merge(answer, 1, Integer::sum);
                    }
                }
                counted.forEach((k, v) -> answers.merge(k, v, Integer::sum));
            }, "benchmark-connection-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        List<Long> all = times.stream().flatMap(List::stream).toList();
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        double perSecond = answers.getOrDefault(String.valueOf(expected), 0) / (double) settings.duration().toSeconds();
        return new Load(perSecond, sorted.length == 0 ? Long.MAX_VALUE : rank(sorted, 0.50),
                sorted.length == 0 ? Long.MAX_VALUE : rank(sorted, 0.99),
                String.format(Locale.ROOT, "%s: %.0f answered %d/s; answers %s%n           each answer: %s", what,
                        perSecond, expected, new TreeMap<>(answers), percentiles(all)));
    }

    /**
     * SSE fan-out: every client subscribed (its 200 read) before the first event; events sent one after another, each
     * acknowledged by the broker; each client's reading of each event timed from that event's send.
     */
    private Load events(String viewer) throws Exception {
        int clients = settings.sseClients();
        int events = settings.sseEvents();
        System.out.printf(Locale.ROOT, "benchmark: %d event stream clients, %d events…%n", clients, events);
        AtomicLongArray sentAt = new AtomicLongArray(events);
        long[][] readAt = new long[clients][events];
        CountDownLatch allRead = new CountDownLatch(clients * events);
        SseClients sse = new SseClients(URI.create(stack.gatewayUrl() + "/api/v1/events"), viewer, clients,
                (client, line, nanoTime) -> {
                    int event = eventNumber(line);
                    if (event >= 0 && readAt[client][event] == 0) {
                        readAt[client][event] = nanoTime;
                        allRead.countDown();
                    }
                }, Duration.ofSeconds(30));
        // Kafka's share: the same events read by a plain consumer of the topic, in this JVM as the clients are.
        long[] consumedAt = new long[events];
        CountDownLatch allConsumed = new CountDownLatch(events);
        Thread consumer = consumer(consumedAt, allConsumed);
        long start = System.nanoTime();
        try (TopicProbe producer = new TopicProbe(stack.kafkaBootstrapServers())) {
            for (int e = 0; e < events; e++) {
                sentAt.set(e, System.nanoTime());
                producer.send("gateway-benchmark", new ActivityRecorded("benchmark/gateway", "benchmark", false,
                        MARKER + e), "benchmark/gateway");
            }
        }
        boolean complete = allRead.await(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean consumed = allConsumed.await(10, TimeUnit.SECONDS);
        consumer.interrupt();
        List<Long> kafka = new ArrayList<>();
        for (int e = 0; e < events; e++) {
            if (consumedAt[e] != 0) {
                kafka.add(consumedAt[e] - sentAt.get(e));
            }
        }
        List<Long> latencies = new ArrayList<>();
        int missing = 0;
        for (long[] client : readAt) {
            for (int e = 0; e < events; e++) {
                if (client[e] == 0) {
                    missing++;
                } else {
                    latencies.add(client[e] - sentAt.get(e));
                }
            }
        }
        sse.close();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long p99 = !complete || sorted.length == 0 ? Long.MAX_VALUE : rank(sorted, 0.99);
        return new Load(latencies.size() / seconds, sorted.length == 0 ? Long.MAX_VALUE : rank(sorted, 0.50), p99,
                String.format(Locale.ROOT, "%d clients × %d events on pgwarden.activity.v1, sent back to back;"
                        + " %d deliveries in %.1f s%s%n           send → each client read: %s"
                        + "%n           send → a plain consumer's read (Kafka alone): %s%s", clients, events,
                        latencies.size(), seconds, missing == 0 ? "" : " (" + missing + " never read within 60 s)",
                        percentiles(latencies), percentiles(kafka), consumed ? "" : " (incomplete)"));
    }

    /** Reads the activity topic from its end, noting when each benchmark event is first seen; stops when interrupted. */
    private Thread consumer(long[] consumedAt, CountDownLatch allConsumed) {
        KafkaConsumer<String, String> kafka = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = kafka.partitionsFor(Topics.ACTIVITY).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        kafka.assign(partitions);
        kafka.seekToEnd(partitions);
        partitions.forEach(kafka::position);
        Thread thread = new Thread(() -> {
            try (kafka) {
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        int event = record.value() == null ? -1 : eventNumber(record.value());
                        if (event >= 0 && consumedAt[event] == 0) {
                            consumedAt[event] = now;
                            allConsumed.countDown();
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException stopped) {
                // the benchmark has what it needs
            }
        }, "benchmark-kafka-consumer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The number of the benchmark event a text carries ({@value #MARKER}n), or -1. */
    private static int eventNumber(String text) {
        int at = text.indexOf(MARKER);
        if (at < 0) {
            return -1;
        }
        int end = at + MARKER.length();
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return Integer.parseInt(text.substring(at + MARKER.length(), end));
    }
}
