package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.e2e.BenchmarkSupport.StoppedOnExit;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static io.pgwarden.e2e.BenchmarkSupport.deleteQuietly;
import static io.pgwarden.e2e.BenchmarkSupport.describeCode;
import static io.pgwarden.e2e.BenchmarkSupport.loadAverage;
import static io.pgwarden.e2e.BenchmarkSupport.millis;
import static io.pgwarden.e2e.BenchmarkSupport.percentiles;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9's "Performance": the planned operations at a real cluster's timings ({@link SandboxConfig#defaults()}) on the
 * packaged system, through the gateway's REST API, with a client writing all along:
 * <ol>
 *   <li>the baseline: the pod's own stop and start, {@code kubectl delete pod} → the StatefulSet's new pod Ready and a
 *       write accepted by the new PostgreSQL instance;</li>
 *   <li>{@code benchmark.moves} moves ({@code POST …/failover}, no target) → a write accepted by the new instance on the
 *       new node, split into the move's steps; each followed by a failback (uncordon only) so the next move has the
 *       same nodes;</li>
 *   <li>{@code benchmark.cycles} stop/start cycles: stop → SUCCEEDED (pod gone, volume detached), start → a write
 *       accepted.</li>
 * </ol>
 * "A write accepted by the new instance" is this program's own probe: an INSERT through the database's Service every
 * 50 ms whose server's {@code pg_postmaster_start_time()} is after the request. The goal: a move costs no more than
 * the pod's own stop and start plus 2 s (p50 and p99 compared).
 * <p>
 * Not a test: a {@code main}; run it with {@code e2e/scripts/planned-benchmark} (see e2e/README.md).
 */
public final class PlannedOperationsBenchmark {
    private static final String NS = DemoDatabase.NAMESPACE;
    private static final String DB = "pg-bench";
    private static final Duration GOAL_MARGIN = Duration.ofSeconds(2);

    /** The marks of one run, in order; absent when not reached. */
    static final String REQUEST = "request";
    static final String EVICTING = "eviction requested";
    static final String OLD_POD_GONE = "old pod gone";
    static final String NEW_POD = "new pod created";
    static final String READY = "new pod Ready";
    static final String WRITE = "write accepted";
    static final String FINAL = "command final";
    static final List<String> MARKS = List.of(REQUEST, EVICTING, OLD_POD_GONE, NEW_POD, READY, WRITE, FINAL);

    record Settings(int moves, int cycles, int baselines, int nodes, Duration runLimit) {
        static Settings fromSystemProperties() {
            return new Settings(Integer.getInteger("benchmark.moves", 10), Integer.getInteger("benchmark.cycles", 10),
                    Integer.getInteger("benchmark.baselines", 10), Integer.getInteger("benchmark.nodes", 3),
                    Duration.ofSeconds(Long.getLong("benchmark.runLimitSeconds", 300)));
        }
    }

    record Run(Map<String, Instant> marks, String outcome, Optional<String> problem) {
        Optional<Duration> between(String from, String to) {
            return marks.containsKey(from) && marks.containsKey(to)
                    ? Optional.of(Duration.between(marks.get(from), marks.get(to))) : Optional.empty();
        }
    }

    private final Settings settings;
    private final Path root;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> loads = new ArrayList<>();
    private boolean complete = true;
    private LocalStack stack;
    private TopicTail statuses;
    private PodEvents pods;

    private PlannedOperationsBenchmark(Settings settings, Path root) {
        this.settings = settings;
        this.root = root;
    }

    public static void main(String[] args) {
        BenchmarkSupport.runAndExit(root -> new PlannedOperationsBenchmark(Settings.fromSystemProperties(), root).run());
    }

    private boolean run() throws Exception {
        Instant began = Instant.now();
        loads.add("start " + loadAverage());
        Path state = Files.createTempDirectory("pgwarden-planned-benchmark");
        List<String> nodes = IntStream.rangeClosed(1, settings.nodes()).mapToObj(BenchmarkSupport::nodeName).toList();
        LocalStack launched = BenchmarkSupport.atRealTimings(root, state, nodes);
        System.out.printf(Locale.ROOT, "benchmark: starting the system (%d sandbox nodes, real timings)…%n", nodes.size());
        String report;
        try (StoppedOnExit running = new StoppedOnExit(launched)) {
            stack = running.start();
            KubernetesClient client = stack.sandbox().client();
            BenchmarkSupport.prePull(client, nodes);
            DemoDatabase.deploy(client, NS, DB);
            awaitReady(Duration.ofMinutes(3));
            try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> NodeFailoverE2E.jdbcUrl(stack.sandbox(), DB));
                 TopicTail tail = new TopicTail(stack.kafkaBootstrapServers(), Topics.COMMAND_STATUS);
                 PodEvents events = new PodEvents(client, NS, DB)) {
                statuses = tail;
                pods = events;
                List<Run> baseline = repeat("baseline", settings.baselines(), this::podDelete);
                loads.add("after the baseline " + loadAverage());
                List<Duration> failbacks = new ArrayList<>();
                List<Run> moves = repeat("move", settings.moves(), () -> move(failbacks));
                loads.add("after the moves " + loadAverage());
                List<Run> stops = new ArrayList<>();
                List<Run> starts = repeat("stop/start", settings.cycles(), () -> stopStart(stops));
                loads.add("end " + loadAverage());
                List<Long> lost = writer.stopAndFindLost();
                int splitBrains = stack.sandbox().invariants().splitBrains().size();
                complete &= lost.isEmpty() && splitBrains == 0;
                report = report(began, baseline, moves, failbacks, stops, starts, writer, lost, splitBrains);
            }
        } finally {
            if (complete) {
                deleteQuietly(state);
            } else {
                StateDirectory.deleteAllButLogs(state);
                System.err.println("benchmark: the system's logs are kept in " + state.resolve("logs"));
            }
        }
        System.out.println(report);
        return complete;
    }

    private interface Step {
        Run run() throws Exception;
    }

    private List<Run> repeat(String name, int times, Step step) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int i = 1; i <= times; i++) {
            awaitReady(settings.runLimit());
            Run run = step.run();
            complete &= run.problem().isEmpty();
            runs.add(run);
            System.out.printf(Locale.ROOT, "benchmark: %s %d/%d: %s%n", name, i, times, line(run));
        }
        return runs;
    }

    // ---- the runs ----

    /** {@code kubectl delete pod}: the pod's own stop and start, the StatefulSet controller making it again. */
    private Run podDelete() {
        Pod pod = pod();
        Instant at = Instant.now();
        stack.sandbox().client().pods().inNamespace(NS).withName(DB + "-0").delete();
        Map<String, Instant> marks = new LinkedHashMap<>();
        marks.put(REQUEST, at);
        Optional<Instant> write = writeByANewInstance(at);
        write.ifPresent(w -> marks.put(WRITE, w));
        podMarks(marks, pod.getMetadata().getUid(), at);
        return new Run(marks, "on " + pod.getSpec().getNodeName() + ", again on " + Optional.ofNullable(pod()).map(p -> p.getSpec().getNodeName()).orElse("?"), write.isPresent() ? Optional.empty()
                : Optional.of("no write accepted within " + settings.runLimit()));
    }

    private Run move(List<Duration> failbacks) throws Exception {
        Pod pod = pod();
        Map<String, Instant> marks = new LinkedHashMap<>();
        Instant at = Instant.now();
        marks.put(REQUEST, at);
        String id = submit("failover", "{\"reason\":\"benchmark\"}");
        Optional<Instant> write = writeByANewInstance(at);
        write.ifPresent(w -> marks.put(WRITE, w));
        CommandStatusChanged last = awaitFinal(id, marks);
        firstStep(id, "evicting").ifPresent(e -> marks.put(EVICTING, e));
        podMarks(marks, pod.getMetadata().getUid(), at);
        Optional<String> problem = last.state().name().equals("SUCCEEDED") && write.isPresent() ? Optional.empty()
                : Optional.of(last.state() + ": " + last.reason());
        // The node it left stays cordoned by pgwarden until failback: lift it, so every move has the same nodes.
        Instant back = Instant.now();
        CommandStatusChanged failback = awaitFinal(submit("failback", "{}"), new LinkedHashMap<>());
        failbacks.add(Duration.between(back, Instant.now()));
        if (!failback.state().name().equals("SUCCEEDED")) {
            problem = Optional.of("failback " + failback.state() + ": " + failback.reason());
        }
        return new Run(marks, pod.getSpec().getNodeName() + " → " + pod().getSpec().getNodeName() + "; " + last.reason(),
                problem);
    }

    private Run stopStart(List<Run> stops) throws Exception {
        Map<String, Instant> stopMarks = new LinkedHashMap<>();
        stopMarks.put(REQUEST, Instant.now());
        CommandStatusChanged stopped = awaitFinal(submit("stop", "{\"reason\":\"benchmark\"}"), stopMarks);
        stops.add(new Run(stopMarks, stopped.reason(), stopped.state().name().equals("SUCCEEDED") ? Optional.empty()
                : Optional.of(stopped.state() + ": " + stopped.reason())));
        Map<String, Instant> marks = new LinkedHashMap<>();
        Instant at = Instant.now();
        marks.put(REQUEST, at);
        String id = submit("start", "{}");
        Optional<Instant> write = writeByANewInstance(at);
        write.ifPresent(w -> marks.put(WRITE, w));
        CommandStatusChanged started = awaitFinal(id, marks);
        podMarks(marks, "none: the database was stopped", at);
        Optional<String> problem = stopped.state().name().equals("SUCCEEDED") && started.state().name()
                .equals("SUCCEEDED") && write.isPresent() ? Optional.empty() : Optional.of("stop " + stopped.state()
                + ", start " + started.state() + ": " + started.reason());
        return new Run(marks, "stop in " + millis(Duration.between(stopMarks.get(REQUEST), stopMarks.get(FINAL))
                .toNanos()) + "; " + started.reason(), problem);
    }

    private void podMarks(Map<String, Instant> marks, String oldUid, Instant after) {
        pods.deleted(oldUid, after).ifPresent(t -> marks.put(OLD_POD_GONE, t));
        pods.firstOther(oldUid, after, e -> true).ifPresent(t -> marks.put(NEW_POD, t));
        pods.firstOther(oldUid, after, PodEvents.PodEvent::ready).ifPresent(t -> marks.put(READY, t));
    }

    // ---- the gateway, the statuses and the database ----

    private String submit(String operation, String body) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                        + "/api/v1/clusters/" + NS + "/" + DB + "/" + operation))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + stack.token(LocalStack.Role.OPERATOR))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException(operation + " answered " + answer.statusCode() + ": " + answer.body());
        }
        JsonNode command = Json.MAPPER.readTree(answer.body());
        return command.get("id").asText();
    }

    /** The command's final status; its arrival (the status record's timestamp) as {@link #FINAL}. */
    private CommandStatusChanged awaitFinal(String id, Map<String, Instant> marks) {
        CommandStatusChanged last = statuses.awaitFinal(id, settings.runLimit());
        statusRecords(id).stream().filter(r -> TopicTail.status(r).state().isFinal()).findFirst()
                .ifPresent(r -> marks.put(FINAL, Instant.ofEpochMilli(r.timestamp())));
        return last;
    }

    /** When the first status whose step begins so was published. */
    private Optional<Instant> firstStep(String id, String prefix) {
        return statusRecords(id).stream().filter(r -> {
            String step = TopicTail.status(r).step();
            return step != null && step.startsWith(prefix);
        }).map(r -> Instant.ofEpochMilli(r.timestamp())).findFirst();
    }

    private List<ConsumerRecord<String, byte[]>> statusRecords(String id) {
        return statuses.matching(TopicProbe.ofType(MessageType.COMMAND_STATUS_CHANGED)
                .and(TopicProbe.correlatedTo(id)));
    }

    private Optional<Instant> writeByANewInstance(Instant since) {
        return BenchmarkSupport.writeByANewInstance(stack.sandbox(), DB, since, settings.runLimit());
    }

    private Pod pod() {
        return stack.sandbox().client().pods().inNamespace(NS).withName(DB + "-0").get();
    }

    private void awaitReady(Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(200))
                .until(() -> NodeFailoverE2E.podReady(stack.sandbox().client(), DB + "-0"));
    }

    // ---- the report ----

    private static String line(Run run) {
        Instant at = run.marks().get(REQUEST);
        StringBuilder s = new StringBuilder();
        for (String mark : MARKS) {
            if (!mark.equals(REQUEST) && run.marks().containsKey(mark)) {
                s.append(mark).append(" +").append(millis(Duration.between(at, run.marks().get(mark)).toNanos()))
                        .append(", ");
            }
        }
        return s + run.outcome() + run.problem().map(p -> "; PROBLEM: " + p).orElse("");
    }

    private static List<Long> samples(List<Run> runs, String from, String to) {
        return runs.stream().map(r -> r.between(from, to)).flatMap(Optional::stream).map(Duration::toNanos).toList();
    }

    private static String figure(String label, List<Run> runs, String from, String to) {
        return String.format(Locale.ROOT, "   %-46s %s%n", label, percentiles(samples(runs, from, to)));
    }

    private static String steps(List<Run> runs, String first) {
        StringBuilder s = new StringBuilder();
        s.append(figure(first + " → " + OLD_POD_GONE, runs, first, OLD_POD_GONE));
        s.append(figure(OLD_POD_GONE + " → " + NEW_POD, runs, OLD_POD_GONE, NEW_POD));
        s.append(figure(NEW_POD + " → " + READY, runs, NEW_POD, READY));
        s.append(figure(READY + " → " + WRITE, runs, READY, WRITE));
        return s.toString();
    }

    private String report(Instant began, List<Run> baseline, List<Run> moves, List<Duration> failbacks,
                          List<Run> stops, List<Run> starts, AcknowledgedWriter writer, List<Long> lost,
                          int splitBrains) {
        StringBuilder text = new StringBuilder();
        text.append("1. baseline: the pod's own stop and start (kubectl delete pod → new pod Ready → write accepted)\n")
                .append(figure("delete → write accepted by the new instance", baseline, REQUEST, WRITE))
                .append(steps(baseline, REQUEST));
        text.append("2. move (POST …/failover, no target) → write accepted by the new instance on the new node\n")
                .append(figure("request → write accepted", moves, REQUEST, WRITE))
                .append(figure("request → SUCCEEDED", moves, REQUEST, FINAL))
                .append(figure("request → eviction requested (checks, cordon)", moves, REQUEST, EVICTING))
                .append(steps(moves, EVICTING))
                .append(String.format(Locale.ROOT, "   %-46s %s%n", "failback (uncordon only), request → SUCCEEDED",
                        percentiles(failbacks.stream().map(Duration::toNanos).toList())));
        text.append("3. stop / start\n")
                .append(figure("stop: request → SUCCEEDED (pod gone, detached)", stops, REQUEST, FINAL))
                .append(figure("start: request → write accepted", starts, REQUEST, WRITE))
                .append(figure("start: request → SUCCEEDED", starts, REQUEST, FINAL))
                .append(figure("start: request → new pod Ready", starts, REQUEST, READY));
        List<Long> cycles = new ArrayList<>();
        for (int i = 0; i < Math.min(stops.size(), starts.size()); i++) {
            Optional<Duration> stop = stops.get(i).between(REQUEST, FINAL);
            Optional<Duration> start = starts.get(i).between(REQUEST, WRITE);
            if (stop.isPresent() && start.isPresent()) {
                cycles.add(stop.get().plus(start.get()).toNanos());
            }
        }
        text.append(String.format(Locale.ROOT, "   %-46s %s%n", "stop + start (stop's SUCCEEDED + start's write)",
                percentiles(cycles)));
        text.append(String.format(Locale.ROOT, "the client: %d rows acknowledged, %d missing at the end, %d"
                + " reconnects; %d split brains recorded by the sandbox%n", writer.count(), lost.size(),
                writer.failures(), splitBrains));
        text.append("------------------------------------------------------------------------------------------------\n")
                .append("goal (issue 9): a move costs no more than the pod's own stop and start plus 2 s\n");
        for (double q : List.of(0.50, 0.99)) {
            List<Long> move = samples(moves, REQUEST, WRITE);
            List<Long> own = samples(baseline, REQUEST, WRITE);
            if (move.isEmpty() || own.isEmpty()) {
                text.append("   no samples\n");
                continue;
            }
            long m = BenchmarkSupport.rank(move.stream().mapToLong(Long::longValue).sorted().toArray(), q);
            long o = BenchmarkSupport.rank(own.stream().mapToLong(Long::longValue).sorted().toArray(), q);
            boolean met = m <= o + GOAL_MARGIN.toNanos() && move.size() == moves.size();
            text.append(String.format(Locale.ROOT, "   p%-3d move %s ≤ pod's own %s + 2 s = %s: %s%n", (int) (q * 100),
                    millis(m), millis(o), millis(o + GOAL_MARGIN.toNanos()), met ? "MET" : "NOT MET"));
        }
        return String.format(Locale.ROOT, """

                ==== pgwarden planned-operations benchmark ====================================================
                code      %s (%s)
                machine   %d cores, Java %s, load average (1/5/15 min): %s
                system    packaged services, real Kafka broker and PostgreSQL, sandbox at real timings, %d nodes, the
                          database's image pre-pulled; a client writing a row every 10 ms throughout; took %d min
                ------------------------------------------------------------------------------------------------
                %s================================================================================================
                """, describeCode(root), root, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" | ", loads), settings.nodes(),
                Duration.between(began, Instant.now()).toMinutes(), text);
    }
}
