package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.failover.fence.SecretValues;
import jakarta.inject.Singleton;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * {@link DatabaseWrites} over JDBC, through the StatefulSet's Service ({@code spec.serviceName}, its port named
 * {@code postgres} or numbered 5432), with the credentials of the Secret the StatefulSet's
 * {@code pgwarden.io/credentials-secret} annotation names (keys {@code username}, {@code password}, and
 * {@code database}, {@code postgres} when absent). Without the annotation the check says so: no guessed user.
 */
@Singleton
public class PostgresWrites implements DatabaseWrites {
    /** Seconds. A database that does not answer this fast is not back yet; the incident asks again. */
    private static final int TIMEOUT_SECONDS = 2;
    private static final int POSTGRES_PORT = 5432;

    private final KubernetesClient client;
    private final ServiceAddresses addresses;

    public PostgresWrites(KubernetesClient client, ServiceAddresses addresses) {
        this.client = client;
        this.addresses = addresses;
    }

    @Override
    public Optional<String> tryWrite(String namespace, String statefulSet) {
        String database = namespace + "/" + statefulSet;
        StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(statefulSet).get();
        if (set == null) {
            return Optional.of("no StatefulSet " + database);
        }
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        String secretName = annotations == null ? null : annotations.get(Names.CREDENTIALS_SECRET_ANNOTATION);
        if (secretName == null || secretName.isBlank()) {
            return Optional.of("StatefulSet " + database + " has no annotation " + Names.CREDENTIALS_SECRET_ANNOTATION
                    + " naming the Secret (username, password) to check writes with");
        }
        Optional<Map<String, String>> credentials = SecretValues.read(client, namespace, secretName);
        if (credentials.isEmpty()) {
            return Optional.of("the Secret " + namespace + "/" + secretName + " that StatefulSet " + database
                    + " names for its credentials does not exist");
        }
        String user = credentials.get().get("username");
        if (user == null || user.isBlank()) {
            return Optional.of("the Secret " + namespace + "/" + secretName + " has no key username");
        }
        String serviceName = set.getSpec().getServiceName();
        Service service = serviceName == null ? null
                : client.services().inNamespace(namespace).withName(serviceName).get();
        if (service == null) {
            return Optional.of("StatefulSet " + database + " names no Service that exists (spec.serviceName: "
                    + serviceName + ")");
        }
        Optional<Integer> port = postgresPort(service);
        if (port.isEmpty()) {
            return Optional.of("Service " + namespace + "/" + serviceName + " has no port named postgres nor "
                    + POSTGRES_PORT);
        }
        ServiceAddresses.Address address;
        try {
            address = addresses.of(namespace, serviceName, port.get());
        } catch (Exception e) {
            return Optional.of("cannot reach Service " + namespace + "/" + serviceName + ": " + e.getMessage());
        }
        String as = " through Service " + serviceName + " (" + address + ") as " + user;
        try {
            return write(address, credentials.get().getOrDefault("database", "postgres"), user,
                    credentials.get().get("password")).map(problem -> database + as + ": " + problem);
        } catch (SQLException e) {
            return Optional.of("no write to " + database + as + ": " + withRootCause(e));
        }
    }

    /**
     * Assigns a transaction id and commits: a standby, or a server still in recovery, refuses to assign one, and the
     * commit of a transaction that has one writes a commit record to the WAL and (synchronous_commit local) waits
     * until it is flushed. So a success proves the server is a primary that can write its volume, and nothing is
     * created in the user's database. A session that is read-only by default would refuse the application's writes
     * too, so it counts as a failure.
     */
    private static Optional<String> write(ServiceAddresses.Address address, String database, String user,
                                          String password) throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[]{address.host()});
        source.setPortNumbers(new int[]{address.port()});
        source.setDatabaseName(database);
        source.setUser(user);
        source.setPassword(password);
        source.setConnectTimeout(TIMEOUT_SECONDS);
        source.setLoginTimeout(TIMEOUT_SECONDS);
        source.setSocketTimeout(TIMEOUT_SECONDS);
        source.setApplicationName("pgwarden write check");
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL synchronous_commit = local");
            try (ResultSet row = statement.executeQuery(
                    "SELECT pg_current_xact_id(), current_setting('transaction_read_only')")) {
                row.next();
                if ("on".equals(row.getString(2))) {
                    connection.rollback();
                    return Optional.of("the server is read-only (transaction_read_only = on)");
                }
            }
            connection.commit();
            return Optional.empty();
        }
    }

    /** "The connection attempt failed." alone does not say whether the port was closed, reset or silent. */
    private static String withRootCause(SQLException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + " (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
    }

    private static Optional<Integer> postgresPort(Service service) {
        var ports = service.getSpec().getPorts();
        if (ports == null) {
            return Optional.empty();
        }
        return ports.stream().filter(p -> "postgres".equals(p.getName())).map(ServicePort::getPort).findFirst()
                .or(() -> ports.stream().map(ServicePort::getPort).filter(p -> p == POSTGRES_PORT).findFirst());
    }
}
