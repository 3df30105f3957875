package io.pgwarden.local;

import io.pgwarden.embedded.Ports.PortTakenException;
import io.pgwarden.sandbox.SandboxConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The local run: starts the whole system on embedded defaults, prints where everything is, writes
 * {@code .pgwarden/local.env}, and runs in the foreground until Ctrl-C or SIGTERM, which stops every
 * process it started. Ports come from environment variables ({@code PGWARDEN_GATEWAY_PORT} …).
 */
public final class LocalRun {
    private static final Logger LOG = Logger.getLogger(LocalRun.class.getName());

    private LocalRun() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalLogging.configure();
        long t0 = System.nanoTime();
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        LocalStack.Settings settings = new LocalStack.Settings(root, root.resolve(".pgwarden"), ports(),
                SandboxConfig.defaults(), Duration.ofSeconds(180), supervision());
        LocalStack stack = new LocalStack(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts: a Ctrl-C during start-up stops what did start.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long stopping = System.nanoTime();
            System.out.println("pgwarden: stopping…");
            stack.close();
            System.out.printf(Locale.ROOT, "pgwarden: stopped in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
            stopped.countDown();
        }, "pgwarden-stop"));
        try {
            stack.start();
        } catch (PortTakenException e) {
            System.err.println("pgwarden local run: " + e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "pgwarden local run failed to start", e);
            System.exit(1);
        }
        Path env = stack.writeEnv();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, """

                pgwarden is up in %.1f s. Ctrl-C stops everything.

                  api-gateway       %s   (Swagger UI: %s/q/swagger-ui)
                  node-watcher      %s
                  failover-service  %s
                  backup-service    %s
                  Kafka             %s
                  catalog database  %s  (JDBC: %s)
                  sandbox cluster   %s  (faults: %s)
                  demo database     %s  (JDBC: %s)

                  kubectl --kubeconfig %s get nodes
                  psql %s
                  set -a; . %s; set +a     # all of the above as variables, and a token per role:
                  curl -H "Authorization: Bearer $PGWARDEN_TOKEN_VIEWER" $GATEWAY_URL/api/v1/nodes
                  (PGWARDEN_TOKEN_VIEWER, _OPERATOR, _ADMIN, valid %d days; in Swagger UI: Authorize)
                  logs: %s   (the launcher's: %s)
                  %s

                """, seconds, stack.gatewayUrl(), stack.gatewayUrl(),
                stack.services().get("node-watcher").url(), stack.services().get("failover-service").url(),
                stack.services().get("backup-service").url(), stack.kafkaBootstrapServers(), stack.catalogUrl(),
                stack.catalogJdbcUrl(), stack.sandbox().apiServerUrl(), stack.sandbox().httpApiUrl(),
                stack.demoDatabaseUrl().orElse("(not deployed)"),
                stack.sandbox().demoDatabaseJdbcUrl().orElse("-"), stack.kubeconfig(),
                stack.demoDatabaseUrl().orElse(stack.catalogUrl()), env, LocalStack.TOKEN_LIFETIME.toDays(),
                settings.stateDir().resolve("logs"), LocalStack.LAUNCHER_LOG,
                settings.supervision().enabled()
                        ? "a service that exits or stays not live is restarted (PGWARDEN_SUPERVISE=false: not)"
                        : "services are not supervised (PGWARDEN_SUPERVISE=false)");
        stopped.await();
    }

    /**
     * Liveness probing and restarts, as a kubelet's: {@code PGWARDEN_LIVENESS_PERIOD_SECONDS} (5) and
     * {@code PGWARDEN_LIVENESS_FAILURE_THRESHOLD} (3); {@code PGWARDEN_SUPERVISE=false} turns it off.
     */
    private static RestartPolicy.Settings supervision() {
        RestartPolicy.Settings d = RestartPolicy.Settings.defaults();
        if ("false".equalsIgnoreCase(String.valueOf(System.getenv("PGWARDEN_SUPERVISE")).trim())) {
            return RestartPolicy.Settings.disabled();
        }
        return d.withProbes(Duration.ofSeconds(positive("PGWARDEN_LIVENESS_PERIOD_SECONDS", d.probePeriod().toSeconds())),
                (int) positive("PGWARDEN_LIVENESS_FAILURE_THRESHOLD", d.failureThreshold()));
    }

    private static long positive(String variable, long fallback) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long number = Long.parseLong(value.trim());
            if (number < 1 || number > 3600) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            System.err.println("pgwarden local run: " + variable + "=" + value + " is not a number from 1 to 3600");
            System.exit(2);
            return fallback;
        }
    }

    private static LocalStack.Ports ports() {
        LocalStack.Ports d = LocalStack.Ports.defaults();
        return new LocalStack.Ports(
                port("PGWARDEN_GATEWAY_PORT", d.gateway()),
                port("PGWARDEN_NODE_WATCHER_PORT", d.nodeWatcher()),
                port("PGWARDEN_FAILOVER_PORT", d.failover()),
                port("PGWARDEN_BACKUP_PORT", d.backup()),
                port("PGWARDEN_KAFKA_PORT", d.kafka()),
                port("PGWARDEN_CATALOG_PORT", d.catalog()),
                port("PGWARDEN_KUBE_API_PORT", d.kubernetesApi()),
                port("PGWARDEN_SANDBOX_PORT", d.sandbox()),
                port("PGWARDEN_DEMO_DB_PORT", d.demoDatabase()));
    }

    private static int port(String variable, int fallback) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            System.err.println("pgwarden local run: " + variable + "=" + value + " is not a port (0-65535)");
            System.exit(2);
            return fallback;
        }
    }

}
