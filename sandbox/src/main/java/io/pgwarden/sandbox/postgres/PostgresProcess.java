package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** One postmaster on one data directory: the container of a simulated PostgreSQL pod. */
public final class PostgresProcess {
    private final Process process;
    private final int port;

    private PostgresProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Initializes pgdata when it is empty (as the postgres image's entrypoint does), then starts the postmaster. */
    public static PostgresProcess start(Path bin, Path pgdata, int port, Path log) {
        try {
            Files.createDirectories(pgdata);
            // PostgreSQL insists on a private data directory; a restored copy may not be.
            Files.setPosixFilePermissions(pgdata, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            ProcessIsolation.own(pgdata); // the image's entrypoint chowns PGDATA to the server's user
            if (!Files.exists(pgdata.resolve("PG_VERSION"))) {
                run(ProcessIsolation.command(List.of(bin.resolve("initdb").toString(), "-D", pgdata.toString(), "-U",
                        "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")), log);
            }
            Process process = new ProcessBuilder(ProcessIsolation.command(List.of(bin.resolve("postgres").toString(),
                    "-D", pgdata.toString(), "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=40",
                    "-c", "shared_buffers=16MB", "-c", "max_wal_size=64MB")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new PostgresProcess(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL on " + pgdata, e);
        }
    }

    private static void run(List<String> command, Path log) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " failed, see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    /** Readiness the way pg_isready sees it: a session can be opened. */
    public boolean acceptsConnections() {
        if (!process.isAlive()) {
            return false;
        }
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** A power cut: the postmaster and every backend die at once, nothing is flushed. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        await(10);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Container stop: SIGINT, the postgres image's STOPSIGNAL (fast shutdown); whatever is still there when the
     * grace period is over is killed.
     */
    public void stop(java.time.Duration gracePeriod) {
        signal("INT", List.of(process.pid()));
        if (!await((int) Math.max(1, gracePeriod.toSeconds()))) {
            kill();
        }
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the postmaster and its backends, as fsfreeze does for a snapshot. */
    public void freeze(boolean frozen) {
        List<Long> pids = new java.util.ArrayList<>(List.of(process.pid()));
        process.descendants().forEach(h -> pids.add(h.pid()));
        signal(frozen ? "STOP" : "CONT", pids);
    }

    private boolean await(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> command.add(String.valueOf(p)));
        try {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
