package io.pgwarden.local;

import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.embedded.KafkaBroker;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
     * @param root     the checkout, where the packaged services are
     * @param stateDir data, logs, kubeconfig and local.env of this run
     */
    public record Settings(Path root, Path stateDir, Ports ports, SandboxConfig sandbox, Duration readyTimeout) {
    }

    private final Settings settings;
    /** Guarded by this: what is running, so a stop during start-up stops exactly that. */
    private final List<AutoCloseable> started = new ArrayList<>();
    private boolean closed;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private KafkaBroker kafka;
    private CatalogDatabase catalog;
    private Sandbox sandbox;

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

        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "QUARKUS_DATASOURCE_JDBC_URL", catalog.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", CatalogDatabase.USER,
                "KUBECONFIG", kubeconfig().toString());
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
    }

    /** The demo database is up when a client gets through its Service to a PostgreSQL that answers. */
    private void awaitDemoDatabase(Instant deadline) {
        Properties credentials = new Properties();
        credentials.setProperty("user", "postgres");
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
        ServiceProcess process = ServiceProcess.start(settings.root(), name, port, env, logs);
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

    public String gatewayUrl() {
        return services().get("api-gateway").url();
    }

    public synchronized Map<String, ServiceProcess> services() {
        return Map.copyOf(services);
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String catalogJdbcUrl() {
        return catalog.jdbcUrl();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public Path kubeconfig() {
        return settings.stateDir().resolve("kubeconfig");
    }

    /** Writes the addresses of this run as shell variables, for scripts, kubectl and psql. */
    public Path writeEnv() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("GATEWAY_URL", gatewayUrl());
        vars.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        vars.put("CATALOG_JDBC_URL", catalogJdbcUrl());
        vars.put("CATALOG_USER", CatalogDatabase.USER);
        vars.put("KUBECONFIG", kubeconfig().toAbsolutePath().toString());
        vars.put("SANDBOX_URL", sandbox.httpApiUrl());
        sandbox.demoDatabaseJdbcUrl().ifPresent(url -> vars.put("DEMO_DB_URL", url));
        vars.put("NODE_WATCHER_URL", services().get("node-watcher").url());
        vars.put("FAILOVER_SERVICE_URL", services().get("failover-service").url());
        vars.put("BACKUP_SERVICE_URL", services().get("backup-service").url());
        Path file = settings.stateDir().resolve("local.env");
        StringBuilder text = new StringBuilder("# Written by the pgwarden local run; `set -a; . " + file + "` to use.\n");
        vars.forEach((k, v) -> text.append(k).append("=\"").append(v).append("\"\n"));
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Stops the services first (they flush to Kafka), then the cluster, the broker and the database. */
    @Override
    public void close() {
        List<ServiceProcess> processes;
        List<AutoCloseable> components;
        synchronized (this) {
            closed = true;
            processes = List.copyOf(services.values());
            components = List.copyOf(started);
        }
        processes.forEach(ServiceProcess::requestStop);
        processes.forEach(s -> s.awaitExit(Duration.ofSeconds(10)));
        for (int i = components.size() - 1; i >= 0; i--) {
            closeQuietly(components.get(i));
        }
        Leftovers.forget(settings.stateDir());
    }

    private static void closeQuietly(AutoCloseable component) {
        try {
            component.close();
        } catch (Exception e) {
            System.err.println("could not stop " + component.getClass().getSimpleName() + ": " + e);
        }
    }
}
