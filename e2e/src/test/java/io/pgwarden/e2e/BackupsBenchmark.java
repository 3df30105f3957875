package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.pgwarden.e2e.BenchmarkSupport.deleteQuietly;
import static io.pgwarden.e2e.BenchmarkSupport.describeCode;
import static io.pgwarden.e2e.BenchmarkSupport.loadAverage;
import static io.pgwarden.e2e.BenchmarkSupport.millis;
import static io.pgwarden.e2e.BenchmarkSupport.percentiles;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's "Performance": backups, restores and drills of a database of about {@code benchmark.size-mb} (1 GB) at
 * a real cluster's timings ({@link SandboxConfig#defaults()}) on the packaged system, through the gateway's REST API,
 * with a client writing all along. Per run ({@code benchmark.runs}):
 * <ol>
 *   <li>an {@code online} backup (request → SUCCEEDED), the write pause the client saw inside it, and its time beyond
 *       its VolumeSnapshots (the wall time minus the union of each snapshot's created → readyToUse, as
 *       {@link SnapshotTimes} saw them arrive);</li>
 *   <li>a drill of it ({@code POST /api/v1/backups/{id}/verify} → SUCCEEDED) and the restore time the drill
 *       measured itself (the backup's {@code drill.restoreMillis});</li>
 *   <li>a restore of it: request → a write accepted through the Service by a PostgreSQL started after the request
 *       (this program's probe), then the client's rows checked against the backup's LSNs;</li>
 *   <li>a {@code crash-consistent} and a {@code cold} backup, each with its write pause.</li>
 * </ol>
 * Each backup is deleted once measured and each restore's retained old volume released, so the disk holds at most
 * about four copies of the database at a time. The goals: an online backup adds at most 5 s beyond its snapshots,
 * and a restore accepts writes within 30 s.
 * <p>
 * Not a test: a {@code main}; run it with {@code e2e/scripts/backups-benchmark} (see e2e/README.md).
 */
public final class BackupsBenchmark {
    private static final String NS = DemoDatabase.NAMESPACE;
    private static final String DB = "pg-bench";
    private static final List<String> METHODS = List.of("online", "crash-consistent", "cold");
    private static final Duration GOAL_BEYOND_SNAPSHOTS = Duration.ofSeconds(5);
    private static final Duration GOAL_RESTORE = Duration.ofSeconds(30);
    private static final Pattern BACKUP_ID = Pattern.compile("backup (\\S+) of ");
    /** About 1 kB per row, below the 2 kB at which PostgreSQL would compress or TOAST it. */
    private static final String LOAD_CHUNK = "INSERT INTO ballast SELECT g, repeat(md5(g::text), 28)"
            + " FROM generate_series(?, ?) g";
    private static final int ROWS_PER_CHUNK = 100_000;

    record Settings(int sizeMb, int runs, boolean walClaim, Duration runLimit) {
        static Settings fromSystemProperties() {
            return new Settings(Integer.getInteger("benchmark.size-mb", 1024), Integer.getInteger("benchmark.runs", 3),
                    Boolean.getBoolean("benchmark.wal-claim"),
                    Duration.ofSeconds(Long.getLong("benchmark.runLimitSeconds", 900)));
        }
    }

    /** One backup: its wall time, snapshots, and what the client saw meanwhile; a missing figure is empty. */
    record BackupRun(String method, Instant requested, Optional<Instant> succeeded, Optional<String> id,
                     Optional<Duration> snapshots, Optional<Duration> longestCut, Optional<Duration> writePause,
                     long failedWrites, String outcome, Optional<String> problem) {
        Optional<Duration> wall() {
            return succeeded.map(s -> Duration.between(requested, s));
        }

        Optional<Duration> beyondSnapshots() {
            return wall().flatMap(w -> snapshots.map(w::minus));
        }
    }

    record RestoreRun(Optional<Duration> toWrite, Optional<Duration> toSucceeded, Optional<Instant> writeAccepted,
                      String rows, Optional<String> problem) {
    }

    record DrillRun(Optional<Duration> toSucceeded, Optional<Duration> restore, Optional<String> problem) {
    }

    private final Settings settings;
    private final Path root;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> loads = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private LocalStack stack;
    private TopicTail statuses;
    private SnapshotTimes snapshots;
    private LsnWriter writer;

    private BackupsBenchmark(Settings settings, Path root) {
        this.settings = settings;
        this.root = root;
    }

    public static void main(String[] args) {
        BenchmarkSupport.runAndExit(root -> new BackupsBenchmark(Settings.fromSystemProperties(), root).run());
    }

    private boolean run() throws Exception {
        Instant began = Instant.now();
        loads.add("start " + loadAverage());
        Path state = Files.createTempDirectory("pgwarden-backups-benchmark");
        List<String> nodes = IntStream.rangeClosed(1, 3).mapToObj(BenchmarkSupport::nodeName).toList();
        LocalStack launched = BenchmarkSupport.atRealTimings(root, state, nodes);
        System.out.printf(Locale.ROOT, "benchmark: starting the system (%d sandbox nodes, real timings)…%n", nodes.size());
        String report;
        try (StoppedOnExit running = new StoppedOnExit(launched)) {
            stack = running.start();
            KubernetesClient client = stack.sandbox().client();
            BenchmarkSupport.prePull(client, nodes);
            if (settings.walClaim()) {
                DemoDatabase.deployWithWalClaim(client, NS, DB);
            } else {
                DemoDatabase.deploy(client, NS, DB);
            }
            awaitReady(Duration.ofMinutes(3));
            String size = load();
            loads.add("loaded " + loadAverage());
            try (TopicTail tail = new TopicTail(stack.kafkaBootstrapServers(), Topics.COMMAND_STATUS);
                 SnapshotTimes times = new SnapshotTimes(client, NS);
                 LsnWriter lsnWriter = new LsnWriter(jdbcUrl())) {
                statuses = tail;
                snapshots = times;
                writer = lsnWriter;
                Duration idlePause = idlePause(Duration.ofSeconds(10));
                Map<String, List<BackupRun>> backups = new LinkedHashMap<>();
                METHODS.forEach(m -> backups.put(m, new ArrayList<>()));
                List<RestoreRun> restores = new ArrayList<>();
                List<DrillRun> drills = new ArrayList<>();
                Optional<Instant> lastRestore = Optional.empty();
                for (int i = 1; i <= settings.runs(); i++) {
                    BackupRun online = backup("online", i);
                    backups.get("online").add(online);
                    if (online.id().isPresent()) {
                        drills.add(drill(online.id().get(), i));
                        RestoreRun restored = restore(online.id().get(), i, lastRestore);
                        restores.add(restored);
                        lastRestore = restored.writeAccepted().or(() -> Optional.of(Instant.now()));
                        releaseRetainedVolumes();
                        deleteBackup(online.id().get());
                    }
                    loads.add("after online run " + i + " " + loadAverage());
                    for (String method : METHODS.subList(1, METHODS.size())) {
                        BackupRun run = backup(method, i);
                        backups.get(method).add(run);
                        run.id().ifPresent(this::deleteBackup);
                    }
                }
                loads.add("end " + loadAverage());
                writer.stop();
                report = report(began, size, idlePause, backups, drills, restores);
            }
        } finally {
            if (problems.isEmpty()) {
                deleteQuietly(state);
            } else {
                StateDirectory.deleteAllButLogs(state);
                System.err.println("benchmark: the system's logs are kept in " + state.resolve("logs"));
            }
        }
        System.out.println(report);
        return problems.isEmpty();
    }

    // ---- the database ----

    /** Fills the table {@code ballast} in chunks until {@code pg_database_size} reaches the size asked for. */
    private String load() throws SQLException {
        System.out.printf(Locale.ROOT, "benchmark: loading about %d MB…%n", settings.sizeMb());
        Instant at = Instant.now();
        try (Connection c = connect(); Statement s = c.createStatement();
             PreparedStatement chunk = c.prepareStatement(LOAD_CHUNK)) {
            s.execute("CREATE TABLE ballast (id bigint, pad text)");
            s.execute("CREATE TABLE acknowledged (id bigint PRIMARY KEY)"); // the restore's write probe
            long next = 1;
            while (databaseSize(s) < settings.sizeMb() * 1024L * 1024L) {
                chunk.setLong(1, next);
                chunk.setLong(2, next + ROWS_PER_CHUNK - 1);
                chunk.executeUpdate();
                next += ROWS_PER_CHUNK;
            }
            // The load's WAL is recycled, so the snapshots hold the database and not the load's WAL too.
            s.execute("CHECKPOINT");
            String size = String.format(Locale.ROOT, "%d MB (pg_database_size, %d rows of about 1 kB), pg_wal %d MB;"
                    + " loaded in %s", databaseSize(s) / (1024 * 1024), next - 1, walSize(s) / (1024 * 1024),
                    millis(Duration.between(at, Instant.now()).toNanos()));
            System.out.println("benchmark: " + size);
            return size;
        }
    }

    private static long databaseSize(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT pg_database_size(current_database())")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static long walSize(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT coalesce(sum(size), 0) FROM pg_ls_waldir()")) {
            r.next();
            return r.getLong(1);
        }
    }

    private String jdbcUrl() {
        return NodeFailoverE2E.jdbcUrl(stack.sandbox(), DB);
    }

    /** A pod just Ready may not be behind its Service's proxy yet: connecting is retried for a minute. */
    private Connection connect() {
        Connection[] connection = new Connection[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            connection[0] = DriverManager.getConnection(jdbcUrl() + "?connectTimeout=2", "postgres", "");
            return true;
        });
        return connection[0];
    }

    /** The client's longest gap between acknowledged writes while nothing else happens, for comparison. */
    private Duration idlePause(Duration window) {
        Instant from = Instant.now();
        await().atMost(window.multipliedBy(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> writer.acknowledgedSince(from.plus(window)));
        return longestGap(writer.acknowledgedTimes(), from, from.plus(window)).orElse(window);
    }

    // ---- the runs ----

    private BackupRun backup(String method, int run) throws Exception {
        if (settings.walClaim() && method.equals("crash-consistent")) {
            return new BackupRun(method, Instant.now(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), 0, "not measured: refused for a pod with several claims",
                    Optional.empty());
        }
        Instant requested;
        String command;
        CommandStatusChanged last;
        // A second backup of one database within a second has the same id and is refused: ask again.
        do {
            requested = Instant.now();
            command = submit(LocalStack.Role.OPERATOR, "POST", clusterPath("backups"), "{\"method\":\"" + method + "\"}");
            last = statuses.awaitFinal(command, settings.runLimit());
        } while (last.reason() != null && last.reason().contains("exists already (one per second)"));
        Optional<Instant> succeeded = last.state().name().equals("SUCCEEDED") ? finalAt(command) : Optional.empty();
        Instant end = succeeded.orElse(Instant.now());
        Optional<String> id = Optional.ofNullable(last.reason()).map(BACKUP_ID::matcher).filter(Matcher::find)
                .map(m -> m.group(1));
        List<SnapshotTimes.Snapshot> taken = id.map(snapshots::ofBackup).orElse(List.of());
        Optional<String> problem = succeeded.isPresent() ? Optional.empty()
                : Optional.of(method + " backup " + last.state() + ": " + last.reason());
        BackupRun result = new BackupRun(method, requested, succeeded, id, snapshotSpan(taken),
                taken.stream().map(s -> s.cut() == null ? null : Duration.between(s.created(), s.cut()))
                        .filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()),
                longestGap(writer.acknowledgedTimes(), requested, end), writer.failuresBetween(requested, end),
                taken.size() + " snapshots; steps " + steps(command, requested) + "; " + last.reason(), problem);
        problem.ifPresent(problems::add);
        System.out.printf(Locale.ROOT, "benchmark: %s backup %d/%d: %s%n", method, run, settings.runs(), line(result));
        return result;
    }

    /** The union of the snapshots' created → ready intervals; empty unless every snapshot was seen ready. */
    static Optional<Duration> snapshotSpan(List<SnapshotTimes.Snapshot> taken) {
        if (taken.isEmpty() || taken.stream().anyMatch(s -> s.ready() == null)) {
            return Optional.empty();
        }
        List<SnapshotTimes.Snapshot> sorted = taken.stream().sorted(Comparator.comparing(SnapshotTimes.Snapshot::created))
                .toList();
        Duration total = Duration.ZERO;
        Instant from = sorted.get(0).created();
        Instant to = sorted.get(0).ready();
        for (SnapshotTimes.Snapshot s : sorted.subList(1, sorted.size())) {
            if (s.created().isAfter(to)) {
                total = total.plus(Duration.between(from, to));
                from = s.created();
            }
            to = s.ready().isAfter(to) ? s.ready() : to;
        }
        return Optional.of(total.plus(Duration.between(from, to)));
    }

    /**
     * The longest time without an acknowledged write inside [from, to]: between two acknowledgements, or from the
     * window's start to the first one in it, or from the last one to its end.
     */
    static Optional<Duration> longestGap(List<Instant> acknowledged, Instant from, Instant to) {
        Instant previous = from;
        Duration longest = Duration.ZERO;
        boolean any = false;
        for (Instant at : acknowledged) {
            if (at.isBefore(from)) {
                continue;
            }
            if (at.isAfter(to)) {
                break;
            }
            any = true;
            longest = max(longest, Duration.between(previous, at));
            previous = at;
        }
        return any ? Optional.of(max(longest, Duration.between(previous, to))) : Optional.empty();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private DrillRun drill(String backupId, int run) throws Exception {
        Instant requested = Instant.now();
        String command = submit(LocalStack.Role.OPERATOR, "POST", "/api/v1/backups/" + backupId + "/verify", "{}");
        CommandStatusChanged last = statuses.awaitFinal(command, settings.runLimit());
        Optional<Duration> toSucceeded = last.state().name().equals("SUCCEEDED")
                ? finalAt(command).map(at -> Duration.between(requested, at)) : Optional.empty();
        JsonNode drill = backup(backupId).path("drill");
        Optional<Duration> restore = drill.path("restoreMillis").isNumber()
                ? Optional.of(Duration.ofMillis(drill.path("restoreMillis").asLong())) : Optional.empty();
        Optional<String> problem = toSucceeded.isPresent() ? Optional.empty()
                : Optional.of("drill " + last.state() + ": " + last.reason());
        problem.ifPresent(problems::add);
        DrillRun result = new DrillRun(toSucceeded, restore, problem);
        System.out.printf(Locale.ROOT, "benchmark: drill %d/%d: request → SUCCEEDED %s, its restore %s; %s%n", run,
                settings.runs(), toSucceeded.map(d -> millis(d.toNanos())).orElse("n/a"),
                restore.map(d -> millis(d.toNanos())).orElse("n/a"), last.reason());
        return result;
    }

    /**
     * Restores the backup and checks the client's rows written between {@code since} (the previous restore's first
     * write; rows the previous restore took away by design do not count) and this request: every row committed at or
     * before the stop LSN present, none committed after it.
     */
    private RestoreRun restore(String backupId, int run, Optional<Instant> since) throws Exception {
        JsonNode backup = backup(backupId);
        long startLsn = BackupsE2E.lsn(backup.path("startLsn").asText());
        long stopLsn = BackupsE2E.lsn(backup.path("stopLsn").asText());
        Instant requested = Instant.now();
        String command = submit(LocalStack.Role.ADMIN, "POST", clusterPath("restore"),
                "{\"backupId\":\"" + backupId + "\",\"reason\":\"benchmark\"}");
        Optional<Instant> write = BenchmarkSupport.writeByANewInstance(stack.sandbox(), DB, requested,
                settings.runLimit());
        CommandStatusChanged last = statuses.awaitFinal(command, settings.runLimit());
        Optional<Duration> toSucceeded = last.state().name().equals("SUCCEEDED")
                ? finalAt(command).map(at -> Duration.between(requested, at)) : Optional.empty();
        // Rows written since the request went to the database being stopped or to the restored one: neither counts.
        List<LsnWriter.Row> rows = writer.rows().stream().filter(r -> r.acknowledged().isBefore(requested)
                && (since.isEmpty() || r.acknowledged().isAfter(since.get()))).toList();
        Set<Long> present = writer.presentIds();
        long beforeStart = rows.stream().filter(r -> r.after() <= startLsn).count();
        long missingBeforeStart = rows.stream().filter(r -> r.after() <= startLsn && !present.contains(r.i())).count();
        long upToStop = rows.stream().filter(r -> r.after() <= stopLsn).count();
        long missingUpToStop = rows.stream().filter(r -> r.after() <= stopLsn && !present.contains(r.i())).count();
        long afterStop = rows.stream().filter(r -> r.before() > stopLsn).count();
        long presentAfterStop = rows.stream().filter(r -> r.before() > stopLsn && present.contains(r.i())).count();
        String check = String.format(Locale.ROOT, "rows committed by the stop LSN %d (%d of them by the start LSN):"
                + " %d missing (%d by the start LSN); rows committed after the stop LSN %d: %d present",
                upToStop, beforeStart, missingUpToStop, missingBeforeStart, afterStop, presentAfterStop);
        Optional<String> problem = Optional.empty();
        if (write.isEmpty() || toSucceeded.isEmpty()) {
            problem = Optional.of("restore " + last.state() + ": " + last.reason() + (write.isEmpty()
                    ? "; no write accepted within " + settings.runLimit() : ""));
        } else if (missingUpToStop > 0 || presentAfterStop > 0 || upToStop == 0) {
            problem = Optional.of("restore's rows: " + check);
        }
        problem.ifPresent(problems::add);
        RestoreRun result = new RestoreRun(write.map(w -> Duration.between(requested, w)), toSucceeded, write, check,
                problem);
        System.out.printf(Locale.ROOT, "benchmark: restore %d/%d: write accepted +%s, SUCCEEDED +%s; %s%s%n", run,
                settings.runs(), result.toWrite().map(d -> millis(d.toNanos())).orElse("n/a"),
                toSucceeded.map(d -> millis(d.toNanos())).orElse("n/a"), check,
                problem.map(p -> "; PROBLEM: " + p).orElse(""));
        return result;
    }

    /**
     * The restore keeps the old volumes (reclaim policy Retain) so it can be undone; the benchmark keeps every restore,
     * so it frees them as an administrator would: reclaim policy Delete on each Released PV of the database's claims.
     */
    private void releaseRetainedVolumes() {
        KubernetesClient client = stack.sandbox().client();
        for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
            var ref = pv.getSpec().getClaimRef();
            if (pv.getStatus() != null && "Released".equals(pv.getStatus().getPhase()) && ref != null
                    && NS.equals(ref.getNamespace()) && ref.getName().endsWith("-" + DB + "-0")) {
                client.persistentVolumes().withName(pv.getMetadata().getName()).edit(v -> {
                    v.getSpec().setPersistentVolumeReclaimPolicy("Delete");
                    return v;
                });
            }
        }
    }

    private void deleteBackup(String backupId) {
        try {
            String command = submit(LocalStack.Role.ADMIN, "DELETE", "/api/v1/backups/" + backupId
                    + "?evenTheLastGood=true", null);
            CommandStatusChanged last = statuses.awaitFinal(command, settings.runLimit());
            if (!last.state().name().equals("SUCCEEDED")) {
                System.out.println("benchmark: deleting backup " + backupId + ": " + last.state() + " " + last.reason());
            }
        } catch (Exception e) {
            System.out.println("benchmark: deleting backup " + backupId + " failed: " + e);
        }
    }

    // ---- the gateway, the statuses and the probe ----

    private static String clusterPath(String operation) {
        return "/api/v1/clusters/" + NS + "/" + DB + "/" + operation;
    }

    /** Sends a command to the gateway and returns its id. */
    private String submit(LocalStack.Role role, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .header("Authorization", "Bearer " + stack.token(role));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> answer = http.send(request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return Json.MAPPER.readTree(answer.body()).get("id").asText();
    }

    private JsonNode backup(String backupId) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                        + "/api/v1/backups/" + backupId)).header("Authorization", "Bearer "
                        + stack.token(LocalStack.Role.VIEWER)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("backup " + backupId + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return Json.MAPPER.readTree(answer.body());
    }

    /** When the command's final status was published (the record's timestamp). */
    private Optional<Instant> finalAt(String command) {
        return statuses.matching(TopicProbe.ofType(MessageType.COMMAND_STATUS_CHANGED)
                        .and(TopicProbe.correlatedTo(command))).stream()
                .filter(r -> TopicTail.status(r).state().isFinal()).findFirst()
                .map(r -> Instant.ofEpochMilli(r.timestamp()));
    }

    /**
     * Each step the command's statuses named (a wait's "…, 3 s" once), with when its first status was published after
     * the request.
     */
    private String steps(String command, Instant requested) {
        Map<String, Instant> first = new LinkedHashMap<>();
        statuses.matching(TopicProbe.ofType(MessageType.COMMAND_STATUS_CHANGED).and(TopicProbe.correlatedTo(command)))
                .forEach(r -> first.putIfAbsent(Optional.ofNullable(TopicTail.status(r).step())
                        .orElse(TopicTail.status(r).state().name()).replaceFirst(", \\d+ s$", ""),
                        Instant.ofEpochMilli(r.timestamp())));
        List<String> marks = new ArrayList<>();
        first.forEach((step, at) -> marks.add(step + " +" + millis(Duration.between(requested, at).toNanos())));
        return String.join(", ", marks);
    }

    private void awaitReady(Duration limit) {
        await().atMost(limit).pollInterval(Duration.ofMillis(200))
                .until(() -> NodeFailoverE2E.podReady(stack.sandbox().client(), DB + "-0"));
    }

    // ---- the report ----

    private static String line(BackupRun run) {
        return String.format(Locale.ROOT, "wall %s, snapshots %s (longest created → cut %s), beyond %s, write pause"
                        + " %s, %d failed writes; %s%s", optional(run.wall()), optional(run.snapshots()),
                optional(run.longestCut()), optional(run.beyondSnapshots()), optional(run.writePause()),
                run.failedWrites(), run.outcome(), run.problem().map(p -> "; PROBLEM: " + p).orElse(""));
    }

    private static String optional(Optional<Duration> d) {
        return d.map(x -> millis(x.toNanos())).orElse("n/a");
    }

    private static String figure(String label, List<Optional<Duration>> values, int expected) {
        List<Long> nanos = values.stream().flatMap(Optional::stream).map(Duration::toNanos).toList();
        String missing = nanos.size() < expected ? String.format(Locale.ROOT, "   (%d of %d not measured)",
                expected - nanos.size(), expected) : "";
        return String.format(Locale.ROOT, "   %-50s %s%s%n", label, percentiles(nanos), missing);
    }

    private static String goal(String what, List<Optional<Duration>> values, int expected, Duration limit) {
        List<Duration> measured = values.stream().flatMap(Optional::stream).toList();
        if (measured.isEmpty()) {
            return String.format(Locale.ROOT, "   %s: NOT MET (not measured)%n", what);
        }
        Duration worst = measured.stream().max(Comparator.naturalOrder()).orElseThrow();
        boolean met = worst.compareTo(limit) <= 0 && measured.size() == expected;
        return String.format(Locale.ROOT, "   %s: max %s ≤ %s over %d of %d runs: %s%n", what, millis(worst.toNanos()),
                millis(limit.toNanos()), measured.size(), expected, met ? "MET" : "NOT MET");
    }

    private String report(Instant began, String size, Duration idlePause, Map<String, List<BackupRun>> backups,
                          List<DrillRun> drills, List<RestoreRun> restores) {
        int n = settings.runs();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "the client alone, longest gap between writes over 10 s: %s%n",
                millis(idlePause.toNanos())));
        int number = 1;
        for (var entry : backups.entrySet()) {
            List<BackupRun> runs = entry.getValue();
            text.append(number++).append(". ").append(entry.getKey()).append(" backup (csi)");
            runs.stream().filter(r -> r.problem().isEmpty() && r.succeeded().isEmpty()).findFirst()
                    .ifPresent(r -> text.append(": ").append(r.outcome()));
            text.append('\n')
                    .append(figure("request → SUCCEEDED", runs.stream().map(BackupRun::wall).toList(), n))
                    .append(figure("VolumeSnapshots, created → readyToUse (union)",
                            runs.stream().map(BackupRun::snapshots).toList(), n))
                    .append(figure("beyond the snapshots (wall − snapshots)",
                            runs.stream().map(BackupRun::beyondSnapshots).toList(), n))
                    .append(figure("a snapshot created → cut (the longest)",
                            runs.stream().map(BackupRun::longestCut).toList(), n))
                    .append(figure("write pause (longest gap between acknowledged writes)",
                            runs.stream().map(BackupRun::writePause).toList(), n))
                    .append(String.format(Locale.ROOT, "   %-50s %s%n", "failed writes",
                            runs.stream().map(r -> Long.toString(r.failedWrites())).toList()));
        }
        text.append(number++).append(". restore of the online backup (POST …/restore)\n")
                .append(figure("request → write accepted by the restored instance",
                        restores.stream().map(RestoreRun::toWrite).toList(), n))
                .append(figure("request → SUCCEEDED", restores.stream().map(RestoreRun::toSucceeded).toList(), n));
        restores.forEach(r -> text.append("   ").append(r.rows()).append('\n'));
        text.append(number).append(". drill of the online backup (POST /api/v1/backups/{id}/verify)\n")
                .append(figure("request → SUCCEEDED", drills.stream().map(DrillRun::toSucceeded).toList(), n))
                .append(figure("the drill's own restore time (drill.restoreMillis)",
                        drills.stream().map(DrillRun::restore).toList(), n));
        text.append(String.format(Locale.ROOT, "the client: %d rows acknowledged, %d failed writes in all%n",
                writer.rows().size(), writer.failures().size()));
        text.append("------------------------------------------------------------------------------------------------\n")
                .append("goals (issue 10)\n")
                .append(goal("an online backup adds ≤ 5 s beyond its snapshots", backups.get("online").stream()
                        .map(BackupRun::beyondSnapshots).toList(), n, GOAL_BEYOND_SNAPSHOTS))
                .append(goal("a restore accepts writes ≤ 30 s after the request", restores.stream()
                        .map(RestoreRun::toWrite).toList(), n, GOAL_RESTORE));
        problems.forEach(p -> text.append("PROBLEM: ").append(p).append('\n'));
        return String.format(Locale.ROOT, """

                ==== pgwarden backups benchmark ===============================================================
                code      %s (%s)
                machine   %d cores, Java %s, load average (1/5/15 min): %s
                system    packaged services, real Kafka broker and PostgreSQL, sandbox at real timings, 3 nodes;
                          %s layout; database %s
                          a client writing a row about every 5 ms throughout; %d run(s); took %d min
                ------------------------------------------------------------------------------------------------
                %s================================================================================================
                """, describeCode(root), root, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), String.join(" | ", loads),
                settings.walClaim() ? "separate WAL claim" : "single-claim", size, n,
                Duration.between(began, Instant.now()).toMinutes(), text);
    }

    /**
     * One client inserting a row at a time through the Service, reconnecting after each failure (a restore in
     * between). Per row: when its commit was acknowledged, and the WAL positions read inside its transaction (before
     * its commit record) and right after the commit (past it), so a restore to a stop LSN can be checked row by row.
     */
    static final class LsnWriter implements AutoCloseable {
        record Row(long i, Instant acknowledged, long before, long after) {
        }

        private final String jdbcUrl;
        private final Queue<Row> rows = new ConcurrentLinkedQueue<>();
        private final Queue<Instant> failures = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private volatile boolean running = true;

        LsnWriter(String jdbcUrl) throws SQLException {
            this.jdbcUrl = jdbcUrl;
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS written (i bigint PRIMARY KEY)");
            }
            thread = new Thread(this::run, "lsn-writer");
            thread.setDaemon(true);
            thread.start();
        }

        private Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl + "?connectTimeout=2&socketTimeout=5", "postgres", "");
        }

        private void run() {
            long next = 1;
            while (running) {
                try (Connection c = connect();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO written VALUES (?)"
                             + " RETURNING pg_current_wal_lsn()::text");
                     PreparedStatement after = c.prepareStatement("SELECT pg_current_wal_lsn()::text")) {
                    while (running) {
                        insert.setLong(1, next);
                        long before = lsnOf(insert);
                        Instant acknowledged = Instant.now();
                        rows.add(new Row(next++, acknowledged, before, lsnOf(after)));
                        Thread.sleep(5); // the load's pace: a write about every 5 ms
                    }
                } catch (SQLException e) {
                    failures.add(Instant.now());
                    next++; // its commit may or may not have happened: never count on that id
                    try {
                        Thread.sleep(50); // the pace of reconnecting while the database is down
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static long lsnOf(PreparedStatement statement) throws SQLException {
            try (ResultSet r = statement.executeQuery()) {
                r.next();
                return BackupsE2E.lsn(r.getString(1));
            }
        }

        List<Row> rows() {
            return List.copyOf(rows);
        }

        List<Instant> acknowledgedTimes() {
            return rows.stream().map(Row::acknowledged).toList();
        }

        boolean acknowledgedSince(Instant at) {
            return rows.stream().anyMatch(r -> r.acknowledged().isAfter(at));
        }

        List<Instant> failures() {
            return List.copyOf(failures);
        }

        long failuresBetween(Instant from, Instant to) {
            return failures.stream().filter(f -> !f.isBefore(from) && !f.isAfter(to)).count();
        }

        /** The ids the database has now. */
        Set<Long> presentIds() throws SQLException {
            Set<Long> present = new HashSet<>();
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT i FROM written")) {
                while (r.next()) {
                    present.add(r.getLong(1));
                }
            }
            return present;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }

        @Override
        public void close() {
            running = false;
        }
    }
}
