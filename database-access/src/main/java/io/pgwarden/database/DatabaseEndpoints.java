package io.pgwarden.database;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import jakarta.inject.Singleton;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.Map;
import java.util.Optional;

/**
 * Where and as whom pgwarden reaches a managed database: through the StatefulSet's Service ({@code spec.serviceName},
 * its port named {@code postgres} or numbered 5432), with the credentials of the Secret the StatefulSet's
 * {@code pgwarden.io/credentials-secret} annotation names (keys {@code username}, {@code password}, and
 * {@code database}, {@code postgres} when absent). Without the annotation it says so: no guessed user. Failover's
 * write check and backup-service's backup session both connect this way.
 */
@Singleton
public class DatabaseEndpoints {
    private static final int POSTGRES_PORT = 5432;

    private final KubernetesClient client;
    private final ServiceAddresses addresses;

    public DatabaseEndpoints(KubernetesClient client, ServiceAddresses addresses) {
        this.client = client;
        this.addresses = addresses;
    }

    /**
     * @param database {@code <namespace>/<statefulset>}
     * @param service  the Service's name
     */
    public record Endpoint(String database, String service, ServiceAddresses.Address address, String databaseName,
                           String user, String password) {

        /** " through Service pg (127.0.0.1:5432) as postgres", for messages. */
        public String describe() {
            return " through Service " + service + " (" + address + ") as " + user;
        }

        /** A data source for this endpoint; a socket timeout of 0 waits as long as the server takes. */
        public PGSimpleDataSource dataSource(int connectTimeoutSeconds, int socketTimeoutSeconds,
                                             String applicationName) {
            PGSimpleDataSource source = new PGSimpleDataSource();
            source.setServerNames(new String[]{address.host()});
            source.setPortNumbers(new int[]{address.port()});
            source.setDatabaseName(databaseName);
            source.setUser(user);
            source.setPassword(password);
            source.setConnectTimeout(connectTimeoutSeconds);
            source.setLoginTimeout(connectTimeoutSeconds);
            source.setSocketTimeout(socketTimeoutSeconds);
            source.setApplicationName(applicationName);
            return source;
        }
    }

    /** Why a database cannot be reached, in words that say what to change. */
    public static final class Unreachable extends Exception {
        public Unreachable(String message) {
            super(message);
        }
    }

    public Endpoint of(String namespace, String statefulSet) throws Unreachable {
        StatefulSet set = statefulSet(namespace, statefulSet);
        String database = namespace + "/" + statefulSet;
        String serviceName = set.getSpec().getServiceName();
        Service service = serviceName == null ? null
                : client.services().inNamespace(namespace).withName(serviceName).get();
        if (service == null) {
            throw new Unreachable("StatefulSet " + database + " names no Service that exists (spec.serviceName: "
                    + serviceName + ")");
        }
        Optional<Integer> port = postgresPort(service);
        if (port.isEmpty()) {
            throw new Unreachable("Service " + namespace + "/" + serviceName + " has no port named postgres nor "
                    + POSTGRES_PORT);
        }
        ServiceAddresses.Address address;
        try {
            address = addresses.of(namespace, serviceName, port.get());
        } catch (Exception e) {
            throw new Unreachable("cannot reach Service " + namespace + "/" + serviceName + ": " + e.getMessage());
        }
        return endpoint(set, serviceName, address);
    }

    /**
     * One pod of the database's kind by its own address (a drill's throw-away PostgreSQL, which no Service selects),
     * with the StatefulSet's credentials, on the container port named {@code postgres} (else 5432).
     */
    public Endpoint ofPod(String namespace, String statefulSet, Pod pod) throws Unreachable {
        StatefulSet set = statefulSet(namespace, statefulSet);
        String name = pod.getMetadata().getName();
        var ports = pod.getSpec().getContainers().get(0).getPorts();
        int port = ports == null ? POSTGRES_PORT : ports.stream().filter(p -> "postgres".equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst().orElse(POSTGRES_PORT);
        ServiceAddresses.Address address;
        try {
            address = addresses.ofPod(namespace, name, pod.getStatus() == null ? null : pod.getStatus().getPodIP(),
                    port);
        } catch (Exception e) {
            throw new Unreachable("cannot reach pod " + namespace + "/" + name + ": " + e.getMessage());
        }
        return endpoint(set, "-", address);
    }

    private StatefulSet statefulSet(String namespace, String statefulSet) throws Unreachable {
        StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(statefulSet).get();
        if (set == null) {
            throw new Unreachable("no StatefulSet " + namespace + "/" + statefulSet);
        }
        return set;
    }

    private Endpoint endpoint(StatefulSet set, String serviceName, ServiceAddresses.Address address)
            throws Unreachable {
        String namespace = set.getMetadata().getNamespace();
        String database = namespace + "/" + set.getMetadata().getName();
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        String secretName = annotations == null ? null : annotations.get(Names.CREDENTIALS_SECRET_ANNOTATION);
        if (secretName == null || secretName.isBlank()) {
            throw new Unreachable("StatefulSet " + database + " has no annotation "
                    + Names.CREDENTIALS_SECRET_ANNOTATION + " naming the Secret (username, password) to connect with");
        }
        Optional<Map<String, String>> credentials = SecretValues.read(client, namespace, secretName);
        if (credentials.isEmpty()) {
            throw new Unreachable("the Secret " + namespace + "/" + secretName + " that StatefulSet " + database
                    + " names for its credentials does not exist");
        }
        String user = credentials.get().get("username");
        if (user == null || user.isBlank()) {
            throw new Unreachable("the Secret " + namespace + "/" + secretName + " has no key username");
        }
        return new Endpoint(database, serviceName, address, credentials.get().getOrDefault("database", "postgres"),
                user, credentials.get().get("password"));
    }

    private static Optional<Integer> postgresPort(Service service) {
        var ports = service.getSpec().getPorts();
        if (ports == null) {
            return Optional.empty();
        }
        return ports.stream().filter(p -> "postgres".equals(p.getName())).map(ServicePort::getPort).findFirst()
                .or(() -> ports.stream().map(ServicePort::getPort).filter(p -> p == POSTGRES_PORT).findFirst());
    }

    /** "The connection attempt failed." alone does not say whether the port was closed, reset or silent. */
    public static String withRootCause(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + " (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
    }
}
