package io.pgwarden.testing;

import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.embedded.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real Kafka broker (KRaft, with pgwarden's topics) and a real PostgreSQL for a Quarkus test,
 * and points the application at them. No container engine involved.
 */
public class KafkaAndPostgresResource implements QuarkusTestResourceLifecycleManager {
    private static volatile String bootstrapServers;
    private static volatile KafkaBroker runningKafka;
    private static volatile CatalogDatabase runningDatabase;

    private KafkaBroker kafka;
    private CatalogDatabase database;

    /** The broker of the running test, to restart it. */
    public static KafkaBroker kafka() {
        return runningKafka;
    }

    /** The catalog database of the running test, to pause it. */
    public static CatalogDatabase database() {
        return runningDatabase;
    }

    /** The broker of the running test, for probes and raw producers. */
    public static String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("pgwarden-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafka = KafkaBroker.start(0, dir);
        database = CatalogDatabase.start(0, dir);
        bootstrapServers = kafka.bootstrapServers();
        runningKafka = kafka;
        runningDatabase = database;
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", CatalogDatabase.USER,
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (database != null) {
            database.close();
        }
    }
}
