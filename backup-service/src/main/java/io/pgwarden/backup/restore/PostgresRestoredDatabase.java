package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.decide.RestoreView.DatabaseSeen;
import io.pgwarden.contracts.Names;
import jakarta.inject.Singleton;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * {@link RestoredDatabase} over JDBC through the StatefulSet's Service (and a drill's throw-away pod by its IP), as
 * the user of the Secret that {@code pgwarden.io/credentials-secret} names.
 * <p>
 * NOTE for the merge: failover-service's write check (PostgresWrites, ServiceAddresses, SecretValues in
 * {@code io.pgwarden.failover.incident}/{@code .fence}) finds the address and credentials the same way; it belongs in
 * a shared module, and this class then keeps only the two queries below. Until then it resolves the address itself
 * ({@code pgwarden.backup.database-address}: cluster DNS, or the sandbox's published Service port).
 */
@Singleton
public class PostgresRestoredDatabase implements RestoredDatabase {
    private static final int TIMEOUT_SECONDS = 2;
    private final KubernetesClient client;
    private final RestoreConfig config;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build();

    public PostgresRestoredDatabase(KubernetesClient client, RestoreConfig config) {
        this.client = client;
        this.config = config;
    }

    @Override
    public DatabaseSeen look(String namespace, String statefulSet) {
        try (Connection c = connect(namespace, statefulSet); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            Optional<String> problem;
            // A transaction id is refused in recovery and on a read-only server; its commit reaches the WAL.
            try (ResultSet r = s.executeQuery("SELECT pg_current_xact_id(), current_setting('transaction_read_only')")) {
                r.next();
                problem = "on".equals(r.getString(2)) ? Optional.of("the server is read-only") : Optional.empty();
            }
            c.commit();
            try (ResultSet r = s.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
                r.next();
                return new DatabaseSeen(problem, Optional.ofNullable(r.getString(1)));
            }
        } catch (Exception e) {
            return new DatabaseSeen(Optional.of("no write: " + e.getMessage()), Optional.empty());
        }
    }

    @Override
    public void resetRecoverySettings(String namespace, String statefulSet) throws Exception {
        try (Connection c = connect(namespace, statefulSet); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM RESET recovery_target_lsn");
            s.execute("ALTER SYSTEM RESET recovery_target_action");
            s.execute("ALTER SYSTEM RESET restore_command");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private Connection connect(String namespace, String name) throws Exception {
        StatefulSet sts = statefulSet(namespace, name);
        Service service = client.services().inNamespace(namespace).withName(sts.getSpec().getServiceName()).get();
        if (service == null) {
            throw new IllegalStateException("no Service " + namespace + "/" + sts.getSpec().getServiceName());
        }
        int port = service.getSpec().getPorts().stream().filter(p -> "postgres".equals(p.getName()))
                .map(ServicePort::getPort).findFirst().orElse(5432);
        if (config.databaseAddress() == RestoreConfig.Address.SANDBOX) {
            return open(namespace, sts, "127.0.0.1", sandboxPort("/services/" + namespace + "/"
                    + service.getMetadata().getName()), "pgwarden restore");
        }
        return open(namespace, sts, service.getMetadata().getName() + "." + namespace + ".svc", port,
                "pgwarden restore");
    }

    /**
     * A session on one pod by its IP (a drill's throw-away PostgreSQL, which no Service selects), as the user of the
     * StatefulSet's credentials Secret, on the container port named {@code postgres} (else 5432).
     */
    public Connection connectToPod(String namespace, String statefulSet, Pod pod) throws Exception {
        StatefulSet sts = statefulSet(namespace, statefulSet);
        String name = pod.getMetadata().getName();
        if (config.databaseAddress() == RestoreConfig.Address.SANDBOX) {
            return open(namespace, sts, "127.0.0.1", sandboxPort("/pods/" + namespace + "/" + name), "pgwarden drill");
        }
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
            throw new IllegalStateException("pod " + namespace + "/" + name + " has no IP yet");
        }
        int port = pod.getSpec().getContainers().get(0).getPorts() == null ? 5432 : pod.getSpec().getContainers().get(0)
                .getPorts().stream().filter(p -> "postgres".equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElse(5432);
        return open(namespace, sts, pod.getStatus().getPodIP(), port, "pgwarden drill");
    }

    private StatefulSet statefulSet(String namespace, String name) {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        if (sts == null) {
            throw new IllegalStateException("no StatefulSet " + namespace + "/" + name);
        }
        return sts;
    }

    private Connection open(String namespace, StatefulSet sts, String host, int port, String application)
            throws Exception {
        String secretName = sts.getMetadata().getAnnotations() == null ? null
                : sts.getMetadata().getAnnotations().get(Names.CREDENTIALS_SECRET_ANNOTATION);
        if (secretName == null) {
            throw new IllegalStateException("StatefulSet " + namespace + "/" + sts.getMetadata().getName()
                    + " has no annotation " + Names.CREDENTIALS_SECRET_ANNOTATION);
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null || secret.getData() == null) {
            throw new IllegalStateException("no Secret " + namespace + "/" + secretName);
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[]{host});
        source.setPortNumbers(new int[]{port});
        source.setDatabaseName(decode(secret, "database").orElse("postgres"));
        source.setUser(decode(secret, "username").orElseThrow(() -> new IllegalStateException("the Secret "
                + secretName + " has no key username")));
        source.setPassword(decode(secret, "password").orElse(null));
        source.setConnectTimeout(TIMEOUT_SECONDS);
        source.setLoginTimeout(TIMEOUT_SECONDS);
        source.setSocketTimeout(TIMEOUT_SECONDS);
        source.setApplicationName(application);
        return source.getConnection();
    }

    /** The local port the sandbox publishes for a Service or a pod ({@code /services/..}, {@code /pods/..}). */
    private int sandboxPort(String path) throws Exception {
        String base = config.sandboxUrl().orElseThrow(() -> new IllegalStateException(
                "pgwarden.backup.database-address=sandbox needs pgwarden.backup.sandbox-url")).replaceAll("/+$", "");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(TIMEOUT_SECONDS)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new SQLException("the sandbox publishes nothing at " + path);
        }
        var port = io.pgwarden.contracts.Json.MAPPER.readTree(answer.body()).path("port");
        if (!port.isInt()) {
            throw new SQLException("the sandbox gives no reachable port at " + path + ": " + answer.body());
        }
        return port.asInt();
    }

    private static Optional<String> decode(Secret secret, String key) {
        return Optional.ofNullable(secret.getData().get(key))
                .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
    }
}
