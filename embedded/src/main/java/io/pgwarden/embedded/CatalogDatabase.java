package io.pgwarden.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server (the project's embedded 17.x binaries, run as a child process) holding the
 * services' own tables. Each service keeps its tables in a schema of its own in database {@value #DATABASE}.
 */
public final class CatalogDatabase implements AutoCloseable {
    public static final String DATABASE = "pgwarden";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path data;

    private CatalogDatabase(EmbeddedPostgres postgres, Path data) {
        this.postgres = postgres;
        this.data = data;
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
            return new CatalogDatabase(postgres, data);
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

    /**
     * Freezes the server and every backend (SIGSTOP), as a stalled disk or a paused VM does: connections
     * stay open and nothing answers. {@link #resume()} lets it go on where it stopped.
     */
    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        long postmaster;
        try {
            postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessHandle root = ProcessHandle.of(postmaster)
                .orElseThrow(() -> new IllegalStateException("no postmaster " + postmaster));
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(postmaster)));
        root.descendants().forEach(p -> command.add(Long.toString(p.pid())));
        try {
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
