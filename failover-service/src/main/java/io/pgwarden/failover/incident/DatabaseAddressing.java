package io.pgwarden.failover.incident;

import io.pgwarden.database.DatabaseAddress;
import io.pgwarden.database.ServiceAddresses;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Optional;

/** Chooses how this service reaches the databases' Services, by {@code pgwarden.failover.database-address}. */
public class DatabaseAddressing {

    @ConfigMapping(prefix = "pgwarden.failover")
    public interface Settings {
        /** {@code cluster-dns} or {@code sandbox}. */
        @WithDefault("cluster-dns")
        DatabaseAddress databaseAddress();

        /** The sandbox's fault API (its {@code SANDBOX_URL}), for {@code database-address=sandbox}. */
        Optional<String> sandboxUrl();
    }

    @Produces
    @Singleton
    ServiceAddresses serviceAddresses(Settings settings) {
        return settings.databaseAddress().addresses(settings.sandboxUrl(), "pgwarden.failover");
    }
}
