package io.pgwarden.gateway;

import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.embedded.KafkaBroker;
import io.pgwarden.embedded.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL and a real Kafka broker that is <em>not running</em> when the gateway starts: the
 * gateway is configured with the broker's address, connections to it are refused, until a test starts
 * the broker on exactly that address. And the database can be paused (SIGSTOP of the server and all
 * its backends) and resumed, as a hung or unreachable database looks to its clients.
 * <p>
 * A separate resource rather than a hook in {@code KafkaAndPostgresResource}: the embedded broker
 * cannot be stopped and restarted with its data, but it can be started late on a port chosen up front.
 */
public class OutageResource implements QuarkusTestResourceLifecycleManager {
    private static volatile OutageResource current;

    private Path dir;
    private int kafkaPort;
    private volatile KafkaBroker kafka;
    private CatalogDatabase database;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("pgwarden-outage-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafkaPort = Ports.free();
        database = CatalogDatabase.start(0, dir);
        current = this;
        return Map.of(
                "kafka.bootstrap.servers", "127.0.0.1:" + kafkaPort,
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", CatalogDatabase.USER,
                "quarkus.datasource.password", "",
                // Shorter waits than in production, so the outages show within seconds.
                "pgwarden.outbox.publish-timeout", "3s",
                "quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout", "3",
                "quarkus.datasource.jdbc.additional-jdbc-properties.loginTimeout", "3");
    }

    /** Starts the broker on the address the gateway was given; returns its bootstrap servers. */
    static synchronized String startKafka() {
        OutageResource r = current;
        if (r.kafka == null) {
            r.kafka = KafkaBroker.start(r.kafkaPort, r.dir);
        }
        return r.kafka.bootstrapServers();
    }

    static void pauseDatabase() {
        current.database.pause();
    }

    static void resumeDatabase() {
        current.database.resume();
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
