package io.pgwarden.database;

import java.util.Optional;

/** How a service reaches the databases' Services; each service names its own setting ({@code database-address}). */
public enum DatabaseAddress {
    /** {@code <service>.<namespace>.svc}: in a cluster. */
    CLUSTER_DNS,
    /** The local port the sandbox publishes for each Service: the local run and the tests. */
    SANDBOX;

    /**
     * @param sandboxUrl the sandbox's fault API (its {@code SANDBOX_URL}), needed for {@link #SANDBOX}
     * @param prefix     the service's configuration prefix, for the message when the URL is missing
     */
    public ServiceAddresses addresses(Optional<String> sandboxUrl, String prefix) {
        return switch (this) {
            case CLUSTER_DNS -> new ClusterDnsAddresses();
            case SANDBOX -> new SandboxAddresses(sandboxUrl.orElseThrow(() -> new IllegalStateException(
                    prefix + ".database-address=sandbox needs " + prefix + ".sandbox-url")));
        };
    }
}
