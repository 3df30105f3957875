package io.pgwarden.failover.incident;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Optional;

/** Chooses how this service reaches the databases' Services, by {@code pgwarden.failover.database-address}. */
public class DatabaseAddressing {

    public enum Kind {
        /** {@code <service>.<namespace>.svc}: in a cluster. */
        CLUSTER_DNS,
        /** The local port the sandbox publishes for each Service: the local run and the tests. */
        SANDBOX
    }

    @ConfigMapping(prefix = "pgwarden.failover")
    public interface Settings {
        /** {@code cluster-dns} or {@code sandbox}. */
        @WithDefault("cluster-dns")
        Kind databaseAddress();

        /** The sandbox's fault API (its {@code SANDBOX_URL}), for {@code database-address=sandbox}. */
        Optional<String> sandboxUrl();
    }

    @Produces
    @Singleton
    ServiceAddresses serviceAddresses(Settings settings) {
        return switch (settings.databaseAddress()) {
            case CLUSTER_DNS -> new ClusterDnsAddresses();
            case SANDBOX -> new SandboxAddresses(settings.sandboxUrl().orElseThrow(() -> new IllegalStateException(
                    "pgwarden.failover.database-address=sandbox needs pgwarden.failover.sandbox-url")));
        };
    }
}
