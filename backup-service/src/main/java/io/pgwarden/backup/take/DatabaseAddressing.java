package io.pgwarden.backup.take;

import io.pgwarden.database.ServiceAddresses;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Reaches the databases' Services as {@code pgwarden.backup.database-address} says. */
public class DatabaseAddressing {

    @Produces
    @Singleton
    ServiceAddresses serviceAddresses(BackupConfig config) {
        return config.databaseAddress().addresses(config.sandboxUrl(), "pgwarden.backup");
    }
}
