package io.pgwarden.e2e;

import io.pgwarden.local.LocalLogging;
import io.pgwarden.local.LocalStack;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole packaged system, started once for all scenarios of a test run (the same launcher as the
 * local run, on free ports and the sandbox's fast timings), and stopped when the run ends.
 */
public final class RunningSystem implements AutoCloseable {
    /**
     * The planned operations' limits (failover-service's {@code pgwarden.failover.planned.*}), which the launcher
     * does not scale: short enough that a move whose pod cannot become Ready fails within seconds, long enough for a
     * fast sandbox's pod to start on two loaded cores (a move takes 2 to 5 s here).
     */
    static final Duration PLANNED_READY_TIMEOUT = Duration.ofSeconds(15);
    /**
     * The planned operations' limits; node-watcher's lease threshold and the storm guard's settle time, both scaled
     * by the launcher (25 s is 1 s here, 50 s is 2 s). The fast sandbox's kubelets renew every 400 ms; with the
     * default threshold (15 s, 600 ms here) a renewal late by 200 ms on two loaded cores made a node look silent
     * before its power-off, which a real kubelet, with 5 s to spare, does not do. The longer settle time only makes
     * the storm guard wait longer.
     * <p>
     * A Kafka session of 10 s (Kafka's default before 3.0, KIP-735) instead of 45 s: a service killed with SIGKILL
     * holds its partitions until its session times out, and each scenario that kills one waited those 45 s for the
     * restarted service to get them back. What the scenarios prove (the work is finished once, after the restart)
     * does not depend on how long the broker waits; heartbeats still go every 3 s, a third of the session.
     */
    static final Map<String, String> SERVICE_ENV = Map.of(
            "KAFKA_SESSION_TIMEOUT_MS", "10000",
            "PGWARDEN_FAILOVER_PLANNED_READY_TIMEOUT", PLANNED_READY_TIMEOUT.toString(),
            "PGWARDEN_FAILOVER_PLANNED_EVICT_TIMEOUT", "30s",
            "PGWARDEN_FAILOVER_PLANNED_WRITE_TIMEOUT", "30s",
            "PGWARDEN_FAILOVER_PLANNED_STOP_TIMEOUT", "30s",
            "PGWARDEN_FAILOVER_PLANNED_POLL", "100ms",
            "PGWARDEN_WATCHER_LEASE_STALE_AFTER", "25s",
            "PGWARDEN_FAILOVER_INCIDENT_STORM_SETTLE", "50s");

    private static RunningSystem instance;

    private final LocalStack stack;
    private final Path state;
    private final HttpClient http = HttpClient.newHttpClient();

    private RunningSystem(LocalStack stack, Path state) {
        this.stack = stack;
        this.state = state;
    }

    public static synchronized RunningSystem get(ExtensionContext context) {
        if (instance == null) {
            LocalLogging.configure();
            Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
            Path state;
            try {
                state = Files.createTempDirectory("pgwarden-e2e");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LocalStack stack = new LocalStack(new LocalStack.Settings(root, state, LocalStack.Ports.anyFree(),
                    SandboxConfig.fast(), Duration.ofSeconds(180)).withServiceEnv(SERVICE_ENV)).start();
            instance = new RunningSystem(stack, state);
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(RunningSystem.class, instance);
        }
        return instance;
    }

    public LocalStack stack() {
        return stack;
    }

    /** The sandbox's container logs, {@code logs/<node>/<pod>.log} (the launcher puts its data under the state). */
    public Path podLogs() {
        return state.resolve("sandbox").resolve("logs");
    }

    /** POSTs to the gateway as an operator, or as an admin where the route needs one ({@link #roleFor}). */
    public HttpResponse<String> post(String path, String json) {
        return as(roleFor(path)).post(path, json);
    }

    /** PUTs to the gateway as an admin (the only PUT route, backup schedules, needs one). */
    public HttpResponse<String> put(String path, String json) {
        return as(LocalStack.Role.ADMIN).put(path, json);
    }

    /** DELETEs through the gateway as an admin (backups and schedules). */
    public HttpResponse<String> delete(String path) {
        return as(LocalStack.Role.ADMIN).delete(path);
    }

    /** GETs from the gateway as a viewer. */
    public HttpResponse<String> get(String path) {
        return as(LocalStack.Role.VIEWER).get(path);
    }

    /** The gateway as a caller with the given role, e.g. to see a viewer's command refused. */
    public Caller as(LocalStack.Role role) {
        return new Caller(stack.token(role));
    }

    /**
     * The role a command route needs, as the gateway's {@code @RolesAllowed} says: admin for what can lose data or
     * disarm safety (unfence, pause and resume failover, restore, undo, schedules), operator for the rest.
     */
    static LocalStack.Role roleFor(String path) {
        String route = path.replaceFirst("\\?.*", "");
        return route.matches(".*/(unfence|undo|restore)|/api/v1/failover/(pause|resume)|.*/(restores|schedules)(/.*)?")
                ? LocalStack.Role.ADMIN : LocalStack.Role.OPERATOR;
    }

    /** Requests with one bearer token. */
    public final class Caller {
        private final String token;

        private Caller(String token) {
            this.token = token;
        }

        public HttpResponse<String> post(String path, String json) {
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        }

        public HttpResponse<String> get(String path) {
            return send(request(path).GET().build());
        }

        public HttpResponse<String> put(String path, String json) {
            return send(request(path).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
        }

        public HttpResponse<String> delete(String path) {
            return send(request(path).DELETE().build());
        }

        private HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).header("Authorization", "Bearer " + token);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the system and deletes its state but the logs (see {@link #logs()}). */
    @Override
    public void close() {
        stack.close();
        StateDirectory.deleteAllButLogs(state);
        System.err.println("e2e: the run's logs are kept in " + logs());
    }

    /** The services' and launcher's logs; the sandbox's container logs are in {@link #podLogs()}. */
    public Path logs() {
        return state.resolve("logs");
    }
}
