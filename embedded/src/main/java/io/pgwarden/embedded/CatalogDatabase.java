package io.pgwarden.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (the project's embedded 17.x binaries, run as a child process) holding the
 * services' own tables. Each service keeps its tables in a schema of its own in database {@value #DATABASE}.
 */
public final class CatalogDatabase implements AutoCloseable {
    public static final String DATABASE = "pgwarden";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private CatalogDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts PostgreSQL on the given port (0: any free one) on a new data directory under dataDir. */
    public static CatalogDatabase start(int port, Path dataDir) {
        int pgPort = Ports.claim(port, "PostgreSQL");
        Path data = Dirs.fresh(dataDir.resolve("catalog-postgres"));
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setPort(pgPort)
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    .setOverrideWorkingDirectory(dataDir.toFile())
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .start();
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
            return new CatalogDatabase(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
