package io.pgwarden.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.e2e.BenchmarkSupport.StoppedOnExit;
import io.pgwarden.e2e.FailoverFigures.Figure;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.testing.NodeEdits;
import org.awaitility.core.ConditionTimeoutException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.pgwarden.e2e.BenchmarkSupport.deleteQuietly;
import static io.pgwarden.e2e.BenchmarkSupport.describeCode;
import static io.pgwarden.e2e.BenchmarkSupport.loadAverage;
import static io.pgwarden.e2e.BenchmarkSupport.millis;
import static org.awaitility.Awaitility.await;

/**
 * Power-off failover at a real cluster's timings, end to end on the packaged system (the launcher of the E2E
 * scenarios on free loopback ports, the sandbox at real timings: leases renewed every 10 s, a 40 s lease, a 50 s
 * grace), printed as tables:
 * <ol>
 *   <li>the baseline: a database whose failover is disabled ({@code pgwarden.io/failover: disabled}, which pgwarden
 *       leaves alone: stock Kubernetes) loses its node; how long it stays down within the observation window;</li>
 *   <li>with pgwarden's default settings, {@code benchmark.runs} power-offs of the node under a managed database
 *       while a client writes through its Service: each phase from the incident's timeline ({@code at.<phase>} in
 *       the catalog), pgwarden's own reaction, and what the cluster took; every acknowledged row checked and the
 *       sandbox's split-brain record read after each run;</li>
 *   <li>the same runs on a second system started with tuned settings ({@link #TUNED}), then an API outage of
 *       {@code benchmark.outageSeconds} while every node is healthy: fences started during and after it.</li>
 * </ol>
 * Each run powers a node off and powers it on again once its incident ended without waiting for it; pgwarden's
 * out-of-service taint stays on it, so the database never comes back there and every run needs a node of its own.
 * <p>
 * Not a test: a {@code main} that surefire and failsafe do not pick up. Run it with
 * {@code e2e/scripts/failover-benchmark} (see e2e/README.md); settings: {@code -Dbenchmark.runs=20
 * -Dbenchmark.variants=defaults,tuned -Dbenchmark.baselineSeconds=180 -Dbenchmark.outageSeconds=90
 * -Dbenchmark.afterOutageSeconds=90 -Dbenchmark.runLimitSeconds=300 -Dbenchmark.prePull=true}.
 */
public final class FailoverBenchmark {
    private static final String NS = DemoDatabase.NAMESPACE;
    private static final String DB = "pg-bench";
    private static final String BASELINE_DB = "pg-baseline";
    /** A gap in the client's acknowledged commits longer than this is the failover, not a slow commit. */
    private static final Duration WRITE_GAP = Duration.ofSeconds(1);

    /**
     * The tuned variant. The lease threshold: the kubelet renews every 10 s with up to 4 % jitter
     * ({@code wait.JitterUntil(c.sync, c.renewInterval, 0.04, ...)} in kubernetes
     * {@code staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go}), so 12 s leaves 1.6 s for a
     * late renewal to reach the API server; every node's BMC read every second, whatever its lease says, so that a
     * PowerState Off is enough without waiting for the threshold (the lease alone cannot detect a power-off in under
     * 10.4 s); every node judged every 250 ms; the incident's waits on a fence, a detach or a pod looked at every
     * 100 ms; the storm guard's settle time 2 s instead of 12 s, since with every BMC read each second nodes powered
     * off together read Off within about a second of each other (a storm of nodes cut off by the network, seen by
     * their leases alone, can take a renewal to show, which this does not wait for: the fence rate limit bounds it).
     */
    static final Map<String, String> TUNED = orderedMap(
            "PGWARDEN_WATCHER_LEASE_STALE_AFTER", "12s",
            "PGWARDEN_WATCHER_POWER_POLL", "every-node",
            "PGWARDEN_WATCHER_POWER_POLL_INTERVAL", "1s",
            "PGWARDEN_WATCHER_LIVENESS_CHECK_INTERVAL", "250ms",
            "PGWARDEN_FAILOVER_INCIDENT_POLL", "100ms",
            "PGWARDEN_FAILOVER_INCIDENT_STORM_SETTLE", "2s");

    record Settings(int runs, List<String> variants, Duration baselineWindow, Duration outage,
                    Duration afterOutage, Duration runLimit, boolean prePull) {

        static Settings fromSystemProperties() {
            Settings s = new Settings(Integer.getInteger("benchmark.runs", 20),
                    List.of(System.getProperty("benchmark.variants", "defaults,tuned").split(",")),
                    Duration.ofSeconds(Long.getLong("benchmark.baselineSeconds", 180)),
                    Duration.ofSeconds(Long.getLong("benchmark.outageSeconds", 90)),
                    Duration.ofSeconds(Long.getLong("benchmark.afterOutageSeconds", 90)),
                    Duration.ofSeconds(Long.getLong("benchmark.runLimitSeconds", 300)),
                    Boolean.parseBoolean(System.getProperty("benchmark.prePull", "true")));
            if (s.runs < 1 || s.variants.stream().anyMatch(v -> !List.of("defaults", "tuned").contains(v))) {
                throw new IllegalArgumentException("need benchmark.runs >= 1 and benchmark.variants of defaults, "
                        + "tuned: " + s);
            }
            return s;
        }

        /** A node for each run (it stays tainted), one for the baseline, and room for the database to move. */
        int nodes() {
            return runs + 4;
        }
    }

    /**
     * Settings both variants need for a series of power-offs on one cluster within minutes: the fence rate rail
     * (3 fences per 10 minutes by default) would hold the fourth run. It changes no timing.
     */
    static Map<String, String> seriesEnv(int runs) {
        return Map.of("PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_MAX", String.valueOf(runs + 5));
    }

    /** One power-off: its marks (empty when it did not begin) and what went wrong, if anything. */
    record Run(int number, String node, Map<String, Instant> marks, String outcome, int acknowledged, long lost,
               int splitBrains, Optional<String> problem) {

        boolean recovered() {
            return marks.containsKey("recovered") && problem.isEmpty();
        }
    }

    private final Settings settings;
    private final Path root;
    private final List<String> loads = new ArrayList<>();
    private volatile boolean complete = true;

    private FailoverBenchmark(Settings settings, Path root) {
        this.settings = settings;
        this.root = root;
    }

    public static void main(String[] args) {
        BenchmarkSupport.runAndExit(root -> new FailoverBenchmark(Settings.fromSystemProperties(), root).run());
    }

    private boolean run() throws Exception {
        Instant began = Instant.now();
        loads.add("start " + loadAverage());
        StringBuilder report = new StringBuilder();
        Map<String, List<Run>> byVariant = new LinkedHashMap<>();
        for (String variant : settings.variants()) {
            Map<String, String> env = new LinkedHashMap<>(seriesEnv(settings.runs()));
            if (variant.equals("tuned")) {
                env.putAll(TUNED);
            }
            report.append(variant(variant, env, byVariant));
            loads.add("after " + variant + " " + loadAverage());
        }
        String table = String.format(Locale.ROOT, """

                ==== pgwarden failover benchmark ==============================================================
                code      %s (%s)
                machine   %d cores, Java %s, load average (1/5/15 min): %s
                system    packaged services, real Kafka broker and PostgreSQL, sandbox at real timings (lease renewed
                          every 10 s, 40 s lease, 50 s grace), %d nodes; %s; took %d min
                %s%s================================================================================================
                """, describeCode(root), root, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" | ", loads), settings.nodes(),
                settings.prePull() ? "the database's image pre-pulled on every node"
                        : "images pulled on first use (30 s each)",
                Duration.between(began, Instant.now()).toMinutes(), report, goals(byVariant));
        System.out.println(table);
        return complete;
    }

    // ---- one system, one variant ----

    private String variant(String variant, Map<String, String> env, Map<String, List<Run>> byVariant)
            throws Exception {
        Path state = Files.createTempDirectory("pgwarden-failover-benchmark-" + variant);
        List<String> nodes = IntStream.rangeClosed(1, settings.nodes()).mapToObj(BenchmarkSupport::nodeName).toList();
        LocalStack stack = new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                SandboxConfig.defaults().withDemoDatabase(false).withNodeNames(nodes), Duration.ofSeconds(180))
                .withServiceEnv(env));
        StringBuilder text = new StringBuilder();
        text.append("------------------------------------------------------------------------------------------------\n")
                .append(variant.toUpperCase(Locale.ROOT)).append(": services' settings ").append(env).append('\n');
        System.out.printf(Locale.ROOT, "benchmark: starting the system for %s (%d sandbox nodes)…%n", variant,
                settings.nodes());
        boolean ok = false;
        try (StoppedOnExit running = new StoppedOnExit(stack)) {
            running.start();
            Cluster cluster = new Cluster(stack);
            if (settings.prePull()) {
                BenchmarkSupport.prePull(cluster.client(), nodes);
            }
            cluster.deploy(DB, Optional.empty());
            cluster.awaitPodReady(DB, Duration.ofMinutes(3));
            try (AcknowledgedWriter writer = new AcknowledgedWriter(() -> NodeFailoverE2E.jdbcUrl(stack.sandbox(), DB));
                 PodEvents events = new PodEvents(stack.sandbox().client(), NS, DB)) {
                if (variant.equals("defaults")) {
                    text.append(baseline(cluster));
                }
                Instant runsBegan = Instant.now();
                List<Run> runs = runs(variant, cluster, writer, events);
                byVariant.put(variant, runs);
                text.append(describe(runs, writer));
                if (variant.equals("tuned")) {
                    text.append(outage(cluster, runsBegan));
                }
            }
            ok = complete;
        } finally {
            if (ok) {
                deleteQuietly(state);
            } else {
                StateDirectory.deleteAllButLogs(state);
                System.err.println("benchmark: the " + variant + " system's logs are kept in " + state.resolve("logs"));
            }
        }
        return text.toString();
    }

    // ---- the baseline ----

    /** A database pgwarden leaves alone loses its node: how long it stays down within the window. */
    private String baseline(Cluster cluster) throws Exception {
        String dbNode = cluster.podOf(DB).getSpec().getNodeName();
        cluster.deploy(BASELINE_DB, Optional.of(dbNode));
        cluster.client().apps().statefulSets().inNamespace(NS).withName(BASELINE_DB)
                .edit(s -> {
                    s.getMetadata().getAnnotations().put(Names.FAILOVER_ANNOTATION, "disabled");
                    return s;
                });
        cluster.awaitPodReady(BASELINE_DB, Duration.ofMinutes(3));
        String url = NodeFailoverE2E.jdbcUrl(cluster.sandbox(), BASELINE_DB) + "?connectTimeout=2&socketTimeout=3";
        // A pod just Ready may not be behind its Service's proxy yet (as AcknowledgedWriter, the first try is retried).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS probe (at timestamptz)");
                s.execute("INSERT INTO probe VALUES (now())");
                return true;
            }
        });
        String node = cluster.podOf(BASELINE_DB).getSpec().getNodeName();
        System.out.printf(Locale.ROOT, "benchmark: baseline: powering off %s under %s, watching it for %d s…%n",
                node, BASELINE_DB, settings.baselineWindow().toSeconds());
        Instant off = Instant.now();
        cluster.sandbox().faults().powerOff(node);
        Optional<Instant> back = Optional.empty();
        Instant end = off.plus(settings.baselineWindow());
        while (back.isEmpty() && Instant.now().isBefore(end)) {
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("INSERT INTO probe VALUES (now())");
                back = Optional.of(Instant.now());
            } catch (SQLException e) {
                Thread.sleep(1_000); // a write a second, as a client retrying
            }
        }
        Pod pod = cluster.podOf(BASELINE_DB);
        String podState = pod == null ? "gone" : String.format(Locale.ROOT, "on %s, phase %s, Ready %s%s",
                pod.getSpec().getNodeName(), pod.getStatus().getPhase(), condition(pod, "Ready"),
                pod.getMetadata().getDeletionTimestamp() == null ? "" : ", Terminating since "
                        + pod.getMetadata().getDeletionTimestamp());
        String taints = Optional.ofNullable(cluster.client().nodes().withName(node).get().getSpec().getTaints())
                .orElse(List.of()).stream().map(t -> t.getKey() + ":" + t.getEffect()).collect(Collectors.joining(", "));
        String incident = IncidentRecords.first(cluster.stack().catalogJdbcUrl(), node, off)
                .map(i -> i.get("phase") + ": " + i.getOrDefault("outcome", i.get("step"))).orElse("none");
        return String.format(Locale.ROOT, """
                1. baseline: stock Kubernetes (%s annotated pgwarden.io/failover: disabled), its node %s powered off
                   %s
                   its pod at the end: %s; node taints: %s
                   pgwarden's incident: %s
                """, BASELINE_DB, node, back.map(b -> "writes accepted again after " + millis(Duration.between(off, b)
                        .toNanos())).orElse("still down after " + settings.baselineWindow().toSeconds()
                        + " s (the observation window): no write accepted"), podState,
                taints.isEmpty() ? "none" : taints, incident);
    }

    // ---- the power-off runs ----

    private List<Run> runs(String variant, Cluster cluster, AcknowledgedWriter writer, PodEvents events)
            throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int i = 1; i <= settings.runs(); i++) {
            Pod pod;
            try {
                pod = cluster.awaitWriting(DB, writer, Duration.ofMinutes(3));
            } catch (ConditionTimeoutException e) {
                complete = false;
                for (int left = i; left <= settings.runs(); left++) {
                    runs.add(new Run(left, "-", Map.of(), "not run", writer.count(), 0, 0,
                            Optional.of("the database was not Ready and accepting writes within 3 min")));
                }
                break;
            }
            Run run = powerOff(i, cluster, writer, events, pod);
            if (!run.recovered() || run.lost() > 0 || run.splitBrains() > 0) {
                complete = false;
            }
            runs.add(run);
            System.out.printf(Locale.ROOT, "benchmark: %s run %d/%d: %s%n", variant, i, settings.runs(), line(run));
        }
        return runs;
    }

    private Run powerOff(int number, Cluster cluster, AcknowledgedWriter writer, PodEvents events, Pod pod)
            throws Exception {
        String node = pod.getSpec().getNodeName();
        String uid = pod.getMetadata().getUid();
        int splitBrainsBefore = cluster.sandbox().invariants().splitBrains().size();
        Instant off = Instant.now();
        cluster.sandbox().faults().powerOff(node);
        Map<String, String> incident;
        try {
            incident = cluster.awaitIncidentEnd(node, off, settings.runLimit());
        } catch (ConditionTimeoutException e) {
            Map<String, String> seen = IncidentRecords.first(cluster.stack().catalogJdbcUrl(), node, off)
                    .orElse(Map.of());
            cluster.sandbox().faults().powerOn(node);
            return new Run(number, node, FailoverFigures.marks(off, seen, Map.of()), seen.getOrDefault("phase",
                    "no incident"), writer.count(), 0, 0, Optional.of("the incident did not end within "
                    + settings.runLimit().toSeconds() + " s: " + seen.getOrDefault("step", "none opened")));
        }
        Optional<String> problem = Optional.empty();
        if (!"recovered".equals(incident.get("phase"))) {
            problem = Optional.of("ended " + incident.get("phase") + ": " + incident.get("step"));
        }
        Optional<Instant> writesBack = Optional.empty();
        long lost = 0;
        if (problem.isEmpty()) {
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> writer.writesResumedAfter(off, WRITE_GAP).isPresent());
                writesBack = writer.writesResumedAfter(off, WRITE_GAP);
                lost = writer.findLost().size();
            } catch (ConditionTimeoutException | SQLException e) {
                problem = Optional.of("the client's writes did not come back: " + e.getMessage());
            }
        }
        Map<String, Instant> seen = new LinkedHashMap<>();
        events.deleted(uid, off).ifPresent(at -> seen.put(FailoverFigures.POD_DELETED, at));
        events.firstOther(uid, off, e -> true).ifPresent(at -> seen.put(FailoverFigures.POD_CREATED, at));
        events.firstOther(uid, off, PodEvents.PodEvent::ready).ifPresent(at -> seen.put(FailoverFigures.POD_READY, at));
        writesBack.ifPresent(at -> seen.put(FailoverFigures.WRITES_BACK, at));
        seen.putAll(cluster.timelineMarks(off));
        int splitBrains = cluster.sandbox().invariants().splitBrains().size() - splitBrainsBefore;
        // Not waited for: its kubelet comes back, pgwarden's out-of-service taint keeps the database off it.
        cluster.sandbox().faults().powerOn(node);
        return new Run(number, node, FailoverFigures.marks(off, incident, seen), incident.get("phase"),
                writer.count(), lost, splitBrains, problem);
    }

    private static String line(Run run) {
        Map<String, Instant> m = run.marks();
        Instant off = m.get(FailoverFigures.OFF);
        String phases = off == null ? "" : m.entrySet().stream().filter(e -> !e.getKey().equals(FailoverFigures.OFF))
                .map(e -> e.getKey() + " +" + millis(Duration.between(off, e.getValue()).toNanos()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%s %s; %s; %d rows acknowledged so far, %d lost, %d split brains%s",
                run.node(), run.outcome(), phases, run.acknowledged(), run.lost(), run.splitBrains(),
                run.problem().map(p -> "; PROBLEM: " + p).orElse(""));
    }

    private String describe(List<Run> runs, AcknowledgedWriter writer) {
        long recovered = runs.stream().filter(Run::recovered).count();
        long lost = runs.stream().mapToLong(Run::lost).sum();
        int splitBrains = runs.stream().mapToInt(Run::splitBrains).sum();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%d power-off runs: %d recovered; %d acknowledged rows written in all, "
                        + "%d missing; %d split brains recorded by the sandbox; %d client errors (reconnects)%n",
                runs.size(), recovered, writer.count(), lost, splitBrains, writer.failures()));
        for (Run run : runs) {
            text.append(String.format(Locale.ROOT, "   run %2d %s%n", run.number(), line(run)));
        }
        text.append(FailoverFigures.table(runs.stream().map(Run::marks).toList()));
        return text.toString();
    }

    // ---- the API outage ----

    /** Every node healthy, node-watcher cut off from the API server: fences started during and after it. */
    private String outage(Cluster cluster, Instant runsBegan) throws Exception {
        cluster.awaitEveryNodeRenewing(Duration.ofMinutes(2));
        System.out.printf(Locale.ROOT, "benchmark: API outage of %d s, then %d s watched…%n",
                settings.outage().toSeconds(), settings.afterOutage().toSeconds());
        Instant began = Instant.now();
        List<Map<String, String>> before = IncidentRecords.since(cluster.stack().catalogJdbcUrl(), runsBegan);
        cluster.sandbox().faults().apiOutage(settings.outage());
        Thread.sleep(settings.outage().plus(settings.afterOutage()).toMillis()); // an observation window, not a wait
        List<Map<String, String>> incidents = IncidentRecords.since(cluster.stack().catalogJdbcUrl(), began);
        long fences = incidents.stream().filter(i -> i.containsKey("at.fencing")).count();
        long fencesInRuns = before.stream().filter(i -> i.containsKey("at.fencing")).count();
        if (fences > 0) {
            complete = false;
        }
        String list = incidents.stream().map(i -> i.get("node") + " " + i.get("phase") + ": " + i.get("step"))
                .collect(Collectors.joining("\n      "));
        return String.format(Locale.ROOT, """
                API outage: node-watcher and failover-service cut off from the API server for %d s, every node healthy,
                watched %d s more
                   false fences (incidents that reached fencing): %d   (the same count over the runs before: %d)
                   incidents opened: %d%s
                """, settings.outage().toSeconds(), settings.afterOutage().toSeconds(), fences, fencesInRuns,
                incidents.size(), incidents.isEmpty() ? "" : "\n      " + list);
    }

    // ---- goals ----

    private String goals(Map<String, List<Run>> byVariant) {
        StringBuilder text = new StringBuilder("------------------------------------------------------------------------"
                + "------------------------\ngoals (issue 8)\n");
        goal(text, byVariant.get("defaults"), FailoverFigures.END_TO_END, Duration.ofSeconds(20), "defaults");
        goal(text, byVariant.get("tuned"), FailoverFigures.END_TO_END, Duration.ofSeconds(10), "tuned");
        for (Map.Entry<String, List<Run>> e : byVariant.entrySet()) {
            for (Figure reaction : List.of(FailoverFigures.FENCE_REQUESTED, FailoverFigures.POD_FORCE_DELETED)) {
                goal(text, e.getValue(), reaction, Duration.ofMillis(100), e.getKey());
            }
        }
        return text.toString();
    }

    private static void goal(StringBuilder text, List<Run> runs, Figure figure, Duration limit, String variant) {
        if (runs == null) {
            return;
        }
        List<Map<String, Instant>> marks = runs.stream().map(Run::marks).toList();
        Optional<Duration> p99 = FailoverFigures.percentile(figure, marks, 0.99);
        long short_ = runs.size() - FailoverFigures.samples(figure, marks).size();
        boolean met = p99.isPresent() && p99.get().compareTo(limit) <= 0 && short_ == 0;
        text.append(String.format(Locale.ROOT, "   %-8s %-40s p99 ≤ %-8s %s: %s%s%n", variant, figure.label(),
                millis(limit.toNanos()), met ? "MET" : "NOT MET", p99.map(d -> "p99 " + millis(d.toNanos()))
                        .orElse("no run reached it"), short_ > 0 ? " (" + short_ + " runs did not reach it)" : ""));
    }

    // ---- the cluster, as the benchmark handles it ----

    /** The running system's cluster and catalog, with the waits the benchmark needs. */
    private record Cluster(LocalStack stack) {

        Sandbox sandbox() {
            return stack.sandbox();
        }

        KubernetesClient client() {
            return stack.sandbox().client();
        }

        /** Deploys a managed database; with {@code avoid}, on any node but that one. */
        void deploy(String name, Optional<String> avoid) {
            avoid.ifPresent(n -> cordon(n, true));
            try {
                DemoDatabase.deploy(client(), NS, name);
                if (avoid.isPresent()) {
                    await().atMost(Duration.ofMinutes(1)).until(() -> podOf(name) != null
                            && podOf(name).getSpec().getNodeName() != null);
                }
            } finally {
                avoid.ifPresent(n -> cordon(n, false));
            }
        }

        private void cordon(String node, boolean unschedulable) {
            NodeEdits.cordon(client(), node, unschedulable);
        }

        Pod podOf(String name) {
            return client().pods().inNamespace(NS).withName(name + "-0").get();
        }

        void awaitPodReady(String name, Duration limit) {
            await().atMost(limit).pollInterval(Duration.ofMillis(200))
                    .until(() -> NodeFailoverE2E.podReady(client(), name + "-0"));
        }

        /** The database's pod Ready, and the client's commits acknowledged again (10 more); returns the pod. */
        Pod awaitWriting(String name, AcknowledgedWriter writer, Duration limit) {
            awaitPodReady(name, limit);
            int from = writer.count();
            await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(() -> writer.count() >= from + 10);
            return podOf(name);
        }

        Map<String, String> awaitIncidentEnd(String node, Instant since, Duration limit) throws SQLException {
            await().atMost(limit).pollInterval(Duration.ofMillis(200)).until(() ->
                    IncidentRecords.first(stack.catalogJdbcUrl(), node, since).map(IncidentRecords::ended)
                            .orElse(false));
            return IncidentRecords.first(stack.catalogJdbcUrl(), node, since).orElseThrow();
        }

        /** The new volume attachment and PostgreSQL's first answer to the kubelet's probe after the instant. */
        Map<String, Instant> timelineMarks(Instant after) {
            String volume = client().persistentVolumeClaims().inNamespace(NS).withName("data-" + DB + "-0").get()
                    .getSpec().getVolumeName();
            Map<String, Instant> marks = new LinkedHashMap<>();
            for (var e : sandbox().timeline().entries()) {
                if (!e.at().isAfter(after)) {
                    continue;
                }
                if (e.kind().equals("attachment") && e.name().equals(volume) && e.state().startsWith("Attached to")) {
                    marks.putIfAbsent(FailoverFigures.VOLUME_ATTACHED, e.at());
                } else if (e.kind().equals("pod") && e.name().equals(NS + "/" + DB + "-0")
                        && e.state().startsWith("Ready on")) {
                    marks.putIfAbsent(FailoverFigures.POSTGRES_ANSWERS, e.at());
                }
            }
            return marks;
        }

        /** Every node's lease renewed since now, so node-watcher has seen each kubelet alive (the powered-on too). */
        void awaitEveryNodeRenewing(Duration limit) {
            Instant since = Instant.now();
            await().atMost(limit).pollInterval(Duration.ofSeconds(1)).until(() -> client().leases()
                    .inNamespace(Names.NODE_LEASE_NAMESPACE).list().getItems().stream()
                    .filter(l -> !l.getMetadata().getName().equals(baselineNode()))
                    .allMatch(l -> renewedSince(l, since)));
        }

        private String baselineNode() {
            Pod pod = podOf(BASELINE_DB);
            return pod == null ? "" : pod.getSpec().getNodeName();
        }

        private static boolean renewedSince(Lease lease, Instant since) {
            return lease.getSpec().getRenewTime() != null
                    && lease.getSpec().getRenewTime().toInstant().isAfter(since);
        }
    }

    private static String condition(Pod pod, String type) {
        return pod.getStatus().getConditions() == null ? "?" : pod.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse("?");
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
