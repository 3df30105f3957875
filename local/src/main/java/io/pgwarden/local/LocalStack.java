package io.pgwarden.local;

import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.embedded.KafkaBroker;
import io.pgwarden.embedded.LocalIssuer;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The whole system on one machine: a real Kafka broker, the catalog PostgreSQL, the sandbox cluster
 * with the demo database, and the four services as separate processes. The local run and the
 * end-to-end tests both start it.
 */
public final class LocalStack implements AutoCloseable {

    /** Where everything listens; 0 means any free port. */
    public record Ports(int gateway, int nodeWatcher, int failover, int backup, int kafka, int catalog,
                        int kubernetesApi, int sandbox, int demoDatabase) {

        public static Ports defaults() {
            return new Ports(8080, 8081, 8082, 8083, 9092, 55432, 6443, 8090, 55433);
        }

        public static Ports anyFree() {
            return new Ports(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    /**
     * @param root        the checkout, where the packaged services are
     * @param stateDir    data, logs, kubeconfig and local.env of this run
     * @param supervision how the service processes are watched and restarted once everything is up
     * @param serviceEnv  settings for every service, as if the launcher's environment set them (a benchmark's tuned
     *                    variant): a real-time value that counts in the cluster's time is scaled with the sandbox
     */
    public record Settings(Path root, Path stateDir, Ports ports, SandboxConfig sandbox, Duration readyTimeout,
                           RestartPolicy.Settings supervision, Map<String, String> serviceEnv,
                           List<String> serviceJvmOptions) {

        public Settings {
            serviceEnv = Map.copyOf(serviceEnv);
            serviceJvmOptions = List.copyOf(serviceJvmOptions);
        }

        public Settings(Path root, Path stateDir, Ports ports, SandboxConfig sandbox, Duration readyTimeout,
                        RestartPolicy.Settings supervision) {
            this(root, stateDir, ports, sandbox, readyTimeout, supervision, Map.of(), ServiceProcess.SMALL_AND_QUICK);
        }

        /** Services supervised with {@link RestartPolicy.Settings#defaults()}. */
        public Settings(Path root, Path stateDir, Ports ports, SandboxConfig sandbox, Duration readyTimeout) {
            this(root, stateDir, ports, sandbox, readyTimeout, RestartPolicy.Settings.defaults());
        }

        public Settings withServiceEnv(Map<String, String> env) {
            return new Settings(root, stateDir, ports, sandbox, readyTimeout, supervision, env, serviceJvmOptions);
        }

        public Settings withServiceJvmOptions(List<String> options) {
            return new Settings(root, stateDir, ports, sandbox, readyTimeout, supervision, serviceEnv, options);
        }
    }

    /** The gateway's roles, lowest first; the local run writes a token for each ({@code PGWARDEN_TOKEN_<ROLE>}). */
    public enum Role {
        VIEWER, OPERATOR, ADMIN;

        /** The role as the token's {@code groups} claim names it. */
        public String claim() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How long the local run's tokens are valid: a month, so a token copied into a shell or a script keeps working
     * across restarts (the signing key in the state directory is kept) without anyone renewing it.
     */
    public static final Duration TOKEN_LIFETIME = Duration.ofDays(30);

    private static final Logger LOG = Logger.getLogger(LocalStack.class.getName());
    /** The launcher's own log in the run's log directory, next to the services' logs. */
    public static final String LAUNCHER_LOG = "pgwarden-local.log";

    private final Settings settings;
    /** Guarded by this: replicas started beside the supervised services. */
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private volatile Map<String, String> serviceEnv = Map.of();
    /** Guarded by this: what is running, so a stop during start-up stops exactly that. */
    private final List<AutoCloseable> started = new ArrayList<>();
    private boolean closed;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    /** Guarded by this; one per service once everything is up and supervision is on. */
    private final Map<String, ServiceSupervisor> supervisors = new LinkedHashMap<>();
    private final Thread stopSupervising = new Thread(this::stopSupervising, "pgwarden-stop-supervising");
    /** Serialises writes to the pid file and the launcher's log. */
    private final Object files = new Object();
    private KafkaBroker kafka;
    private CatalogDatabase catalog;
    private Sandbox sandbox;
    private final Map<Role, String> tokens = new java.util.EnumMap<>(Role.class);

    public LocalStack(Settings settings) {
        this.settings = settings;
    }

    /** Starts everything and waits until every service is ready; on failure stops what did start. */
    public LocalStack start() {
        try {
            startAll();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        Path state = settings.stateDir();
        Leftovers.reap(state);
        try {
            Files.deleteIfExists(state.resolve("logs").resolve(LAUNCHER_LOG)); // a run's log, as the services' are
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Ports ports = settings.ports();
        int gateway = claim(ports.gateway(), "api-gateway");
        int watcher = claim(ports.nodeWatcher(), "node-watcher");
        int failover = claim(ports.failover(), "failover-service");
        int backup = claim(ports.backup(), "backup-service");

        CompletableFuture<KafkaBroker> kafkaStart = CompletableFuture.supplyAsync(() -> KafkaBroker.start(ports.kafka(), state));
        CompletableFuture<CatalogDatabase> catalogStart =
                CompletableFuture.supplyAsync(() -> CatalogDatabase.start(ports.catalog(), state));
        CompletableFuture<Sandbox> sandboxStart = CompletableFuture.supplyAsync(() -> Sandbox.start(settings.sandbox()
                .withDataDir(state.resolve("sandbox"))
                .withPorts(ports.kubernetesApi(), ports.sandbox(), ports.demoDatabase())));
        awaitAll(List.of(kafkaStart, catalogStart, sandboxStart));
        kafka = kafkaStart.join();
        catalog = catalogStart.join();
        sandbox = sandboxStart.join();
        sandbox.writeKubeconfig(kubeconfig());

        Map<String, String> env = new LinkedHashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "QUARKUS_DATASOURCE_JDBC_URL", catalog.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", CatalogDatabase.USER,
                "KUBECONFIG", kubeconfig().toString()));
        env.putAll(signIn(state));
        env.putAll(SandboxFailoverSettings.environment(sandbox.httpApiUrl()));
        env.putAll(SandboxWatcherSettings.environment(sandbox.httpApiUrl()));
        // The gateway forwards incident reads to failover-service, on the port it really got.
        env.put("PGWARDEN_GATEWAY_FAILOVER_URL", "http://127.0.0.1:" + failover);
        // backup-service's backup session reaches a database as failover's write check does; the gateway forwards
        // backup reads to it.
        env.put("PGWARDEN_BACKUP_DATABASE_ADDRESS", "sandbox");
        env.put("PGWARDEN_BACKUP_SANDBOX_URL", sandbox.httpApiUrl());
        env.put("PGWARDEN_GATEWAY_BACKUP_URL", "http://127.0.0.1:" + backup);
        env.putAll(settingsEnvironment(settings.sandbox(), System.getenv(), settings.serviceEnv()));
        serviceEnv = Map.copyOf(env);
        Path logs = state.resolve("logs");
        startService("node-watcher", watcher, env, logs);
        startService("failover-service", failover, env, logs);
        startService("backup-service", backup, env, logs);
        startService("api-gateway", gateway, env, logs);
        Leftovers.record(state, services().values().stream().map(ServiceProcess::pid).toList());
        Instant deadline = Instant.now().plus(settings.readyTimeout());
        services().values().forEach(s -> s.awaitReady(deadline));
        if (settings.sandbox().deployDemoDatabase()) {
            awaitDemoDatabase(deadline);
        }
        supervise();
    }

    /**
     * The local token issuer (its key pair kept in the state directory across runs) and a token per role; returns
     * the gateway's settings to trust it. Swagger UI is on here only, where the caller is the one at the keyboard.
     */
    private Map<String, String> signIn(Path state) {
        LocalIssuer issuer = LocalIssuer.in(state);
        for (Role role : Role.values()) {
            tokens.put(role, issuer.token("local-" + role.claim(), List.of(role.claim()), TOKEN_LIFETIME));
        }
        return Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", issuer.publicKeyFile().toAbsolutePath().toString(),
                "MP_JWT_VERIFY_ISSUER", LocalIssuer.ISSUER,
                "QUARKUS_SWAGGER_UI_ENABLE", "true");
    }

    /** A bearer token of the given role, valid for {@link #TOKEN_LIFETIME} from the start. */
    public String token(Role role) {
        return tokens.get(role);
    }

    /**
     * The settings given to every service: {@code serviceEnv} as it is, then the settings that count in the cluster's
     * time scaled with the sandbox, from what {@code serviceEnv} or else the launcher's environment sets.
     */
    static Map<String, String> settingsEnvironment(SandboxConfig sandbox, Map<String, String> launcher,
                                                   Map<String, String> serviceEnv) {
        Map<String, String> given = new LinkedHashMap<>(launcher);
        given.putAll(serviceEnv);
        Map<String, String> env = new LinkedHashMap<>(serviceEnv);
        env.putAll(ClusterTimeSettings.environment(sandbox, given));
        return env;
    }

    /** From now on a service that exits or stays not live is restarted, as a kubelet would ({@link RestartPolicy}). */
    private void supervise() {
        RestartPolicy.Settings supervision = settings.supervision();
        if (!supervision.enabled()) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            // However the JVM ends (Ctrl-C reaches the services too, a test JVM has no hook of its own), nothing
            // is restarted once it is ending: an exit seen then is part of the stop.
            Runtime.getRuntime().addShutdownHook(stopSupervising);
            services.forEach((name, process) -> {
                ServiceSupervisor supervisor = new ServiceSupervisor(process, supervision, Clock.systemDefaultZone(),
                        new Report(), this::recordPids);
                supervisors.put(name, supervisor);
                supervisor.start();
            });
        }
        say(Level.INFO, String.format(Locale.ROOT, "supervising the services: liveness every %s, restart after %d "
                        + "failures in a row or an exit, back-off 10 s doubling to 5 min",
                RestartPolicy.seconds(supervision.probePeriod()), supervision.failureThreshold()));
    }

    /** No restart from now on; returns once no supervisor can start a process any more. */
    private void stopSupervising() {
        List<ServiceSupervisor> watching;
        synchronized (this) {
            closed = true;
            watching = List.copyOf(supervisors.values());
        }
        watching.forEach(ServiceSupervisor::stop);
        watching.forEach(s -> s.awaitStopped(Duration.ofSeconds(5)));
    }

    private void recordPids() {
        synchronized (files) {
            Leftovers.record(settings.stateDir(), services().values().stream().map(ServiceProcess::pid).toList());
        }
    }

    /** Restarts go to the console and to the launcher's log, with the service, the reason, the count and the delay. */
    private final class Report implements ServiceSupervisor.Report {
        @Override
        public void restarting(String service, RestartPolicy.Restart restart) {
            say(Level.WARNING, String.format(Locale.ROOT, "%s %s: %srestart %d %s", service, restart.reason(),
                    restart.kill() ? "stopping it, then " : "", restart.restarts(), restart.delay().isZero() ? "now"
                            : "in " + RestartPolicy.seconds(restart.delay()) + " (back-off)"));
        }

        @Override
        public void restarted(String service, ServiceProcess process, int restarts) {
            say(Level.INFO, String.format(Locale.ROOT, "%s started again (restart %d, pid %d, log %s)", service,
                    restarts, process.pid(), process.log()));
        }

        @Override
        public void couldNotStart(String service, RuntimeException failure) {
            say(Level.SEVERE, service + " could not be started again: " + failure.getMessage());
        }
    }

    private void say(Level level, String message) {
        LOG.log(level, message);
        Path log = settings.stateDir().resolve("logs").resolve(LAUNCHER_LOG);
        String line = String.format(Locale.ROOT, "%s %-7s %s%n", LocalDateTime.now().truncatedTo(ChronoUnit.MILLIS),
                level.getName(), message);
        synchronized (files) {
            try {
                Files.createDirectories(log.getParent());
                Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write " + log + ": " + e);
            }
        }
    }

    /** The demo database is up when a client gets through its Service to a PostgreSQL that answers. */
    private void awaitDemoDatabase(Instant deadline) {
        Properties credentials = new Properties();
        credentials.setProperty("user", DatabaseUrls.DEMO_DATABASE_USER);
        credentials.setProperty("connectTimeout", "2");
        String url = sandbox.demoDatabaseJdbcUrl().orElseThrow();
        while (true) {
            try (Connection connection = DriverManager.getConnection(url, credentials)) {
                if (connection.isValid(2)) {
                    return;
                }
            } catch (SQLException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the demo database did not answer at " + url + " in time: "
                            + e.getMessage(), e);
                }
            }
            sleepBriefly();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private void startService(String name, int port, Map<String, String> env, Path logs) {
        ServiceProcess process = ServiceProcess.start(settings.root(), name, port, env, settings.serviceJvmOptions(),
                logs);
        synchronized (this) {
            services.put(name, process);
            if (!closed) {
                return;
            }
        }
        process.close();
        throw new IllegalStateException("stopped while starting");
    }

    private static int claim(int port, String what) {
        return io.pgwarden.embedded.Ports.claim(port, what);
    }

    /** Waits for every component; those that started are remembered for close even when another failed. */
    private void awaitAll(List<CompletableFuture<? extends AutoCloseable>> starts) {
        RuntimeException failure = null;
        for (CompletableFuture<? extends AutoCloseable> start : starts) {
            try {
                AutoCloseable component = start.join();
                synchronized (this) {
                    if (closed) {
                        closeQuietly(component);
                        failure = new IllegalStateException("stopped while starting");
                        continue;
                    }
                    started.add(component);
                }
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Starts one more replica of a service (not supervised), as a Deployment with two replicas or a rolling
     * update runs two; it is stopped with everything else. Returns once it is ready.
     */
    public ServiceProcess startReplica(String service) {
        return startReplica(service, Map.of());
    }

    /** {@link #startReplica(String)} with settings of its own, e.g. another consumer group. */
    public ServiceProcess startReplica(String service, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(serviceEnv);
        env.putAll(extraEnv);
        ServiceProcess process;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("stopped");
            }
            process = ServiceProcess.startReplica(settings.root(), service, replicas.size() + 2,
                    io.pgwarden.embedded.Ports.free(), env, settings.serviceJvmOptions(),
                    settings.stateDir().resolve("logs"));
            replicas.add(process);
        }
        process.awaitReady(Instant.now().plus(settings.readyTimeout()));
        return process;
    }

    /** The extra replicas started so far, whether still running or not. */
    public synchronized List<ServiceProcess> replicas() {
        return List.copyOf(replicas);
    }

    public String gatewayUrl() {
        return services().get("api-gateway").url();
    }

    /** The service processes running now: after a restart, the new process. In start order. */
    public synchronized Map<String, ServiceProcess> services() {
        Map<String, ServiceProcess> now = new LinkedHashMap<>();
        services.forEach((name, process) -> {
            ServiceSupervisor supervisor = supervisors.get(name);
            now.put(name, supervisor == null ? process : supervisor.current());
        });
        return Collections.unmodifiableMap(now);
    }

    /** How many times the launcher restarted {@code service} so far; 0 when it is not supervised. */
    public synchronized int restarts(String service) {
        ServiceSupervisor supervisor = supervisors.get(service);
        return supervisor == null ? 0 : supervisor.restarts();
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String catalogJdbcUrl() {
        return catalog.jdbcUrl();
    }

    /** The catalog as a libpq URI with its user, for psql. */
    public String catalogUrl() {
        return DatabaseUrls.libpq(catalogJdbcUrl(), CatalogDatabase.USER);
    }

    /** The demo database (through its Service) as a libpq URI with its user, for psql; empty when not deployed. */
    public java.util.Optional<String> demoDatabaseUrl() {
        return sandbox.demoDatabaseJdbcUrl().map(url -> DatabaseUrls.libpq(url, DatabaseUrls.DEMO_DATABASE_USER));
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public Path kubeconfig() {
        return settings.stateDir().resolve("kubeconfig");
    }

    /**
     * Writes the addresses of this run as shell variables, for scripts, kubectl and psql: the databases as libpq
     * URIs ({@code psql "$DEMO_DB_URL"}) with their JDBC URLs beside ({@link DatabaseUrls#variables}).
     */
    public Path writeEnv() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("GATEWAY_URL", gatewayUrl());
        vars.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        vars.putAll(DatabaseUrls.variables(catalogJdbcUrl(), sandbox.demoDatabaseJdbcUrl()));
        vars.put("KUBECONFIG", kubeconfig().toAbsolutePath().toString());
        vars.put("SANDBOX_URL", sandbox.httpApiUrl());
        vars.put("NODE_WATCHER_URL", services().get("node-watcher").url());
        vars.put("FAILOVER_SERVICE_URL", services().get("failover-service").url());
        vars.put("BACKUP_SERVICE_URL", services().get("backup-service").url());
        // curl -H "Authorization: Bearer $PGWARDEN_TOKEN_OPERATOR" …; valid for TOKEN_LIFETIME from this start
        for (Role role : Role.values()) {
            vars.put("PGWARDEN_TOKEN_" + role.name(), token(role));
        }
        Path file = settings.stateDir().resolve("local.env");
        StringBuilder text = new StringBuilder("# Written by the pgwarden local run; `set -a; . " + file + "` to use.\n"
                + "# The PGWARDEN_TOKEN_* are bearer tokens for the gateway, valid for " + TOKEN_LIFETIME.toDays()
                + " days from " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ".\n");
        vars.forEach((k, v) -> text.append(k).append("=\"").append(v).append("\"\n"));
        try {
            Files.writeString(file, text);
            // It holds the tokens: readable by whoever started the run only.
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Stops supervising (no restart after this), then stops the services (they flush to Kafka), then the cluster,
     * the broker and the database.
     */
    @Override
    public void close() {
        stopSupervising();
        try {
            Runtime.getRuntime().removeShutdownHook(stopSupervising);
        } catch (IllegalStateException e) {
            // the JVM is ending: the hook runs or ran
        }
        List<ServiceProcess> processes;
        List<AutoCloseable> components;
        synchronized (this) {
            List<ServiceProcess> all = new ArrayList<>(services().values());
            all.addAll(replicas);
            processes = List.copyOf(all);
            components = List.copyOf(started);
        }
        processes.forEach(ServiceProcess::requestStop);
        processes.forEach(s -> s.awaitExit(Duration.ofSeconds(10)));
        for (int i = components.size() - 1; i >= 0; i--) {
            closeQuietly(components.get(i));
        }
        synchronized (files) {
            Leftovers.forget(settings.stateDir());
        }
    }

    private static void closeQuietly(AutoCloseable component) {
        try {
            component.close();
        } catch (Exception e) {
            System.err.println("could not stop " + component.getClass().getSimpleName() + ": " + e);
        }
    }
}
