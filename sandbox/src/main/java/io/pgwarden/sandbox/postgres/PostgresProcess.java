package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One postmaster on one data directory: the container of a simulated PostgreSQL pod. The launcher is the process
 * Java started (unshare, see {@link ProcessIsolation}); the postmaster is its child, PID 1 of the pod's namespace,
 * and the process signals go to, as a container runtime signals the container's init process.
 */
public final class PostgresProcess {
    private final Process launcher;
    private final ProcessHandle postmaster;
    private final int port;

    private PostgresProcess(Process launcher, int port) {
        this.launcher = launcher;
        this.postmaster = ProcessIsolation.postmaster(launcher);
        this.port = port;
    }

    /**
     * Initializes pgdata when it is empty (as the postgres image's entrypoint does, with {@code initdb --waldir} when
     * the layout has a WAL directory), then starts the postmaster with fsync on, as a database that must survive a
     * crash runs. {@code environment} is added to the server's.
     */
    public static PostgresProcess start(Path bin, PostgresLayout layout, int port, Path log,
                                        Map<String, String> environment) {
        Path pgdata = layout.onMachine(layout.pgdata());
        boolean inPod = ProcessIsolation.mountsClaims();
        Map<Path, String> mounts = new LinkedHashMap<>();
        layout.mounts().forEach((mountPath, volume) -> mounts.put(volume, mountPath));
        Map<String, String> env = new LinkedHashMap<>(environment);
        if (inPod) {
            env.put("SANDBOX_MOUNTS", NodeStorage.mounts(layout.mounts()));
        }
        Function<String, String> path = p -> inPod ? p : layout.onMachine(p).toString();
        try {
            Files.createDirectories(pgdata);
            // PostgreSQL insists on a private data directory; a restored copy may not be.
            Files.setPosixFilePermissions(pgdata, PosixFilePermissions.fromString("rwx------"));
            ProcessIsolation.own(pgdata); // the image's entrypoint chowns PGDATA to the server's user
            if (!Files.exists(pgdata.resolve("PG_VERSION"))) {
                List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D",
                        path.apply(layout.pgdata()), "-U", "postgres", "-A", "trust", "-E", "UTF8"));
                if (layout.waldir().isPresent()) {
                    // docker_create_db_directories: mkdir -p, chown and chmod 700 the WAL directory
                    Path waldir = layout.onMachine(layout.waldir().get());
                    Files.createDirectories(waldir);
                    Files.setPosixFilePermissions(waldir, PosixFilePermissions.fromString("rwx------"));
                    ProcessIsolation.own(waldir);
                    initdb.addAll(List.of("--waldir", path.apply(layout.waldir().get())));
                }
                run(ProcessIsolation.command(initdb, mounts), log, env);
            }
            ProcessBuilder server = new ProcessBuilder(ProcessIsolation.command(List.of(bin.resolve("postgres").toString(),
                    "-D", path.apply(layout.pgdata()), "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=", "-c", "max_connections=40",
                    "-c", "shared_buffers=16MB", "-c", "max_wal_size=64MB"), mounts))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            server.environment().putAll(env);
            return new PostgresProcess(server.start(), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL on " + pgdata, e);
        }
    }

    private static void run(List<String> command, Path log, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process p = builder.start();
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

    /** The postmaster's PID on the host (it is 1 in its own namespace). */
    public long pid() {
        return postmaster.pid();
    }

    /** The launcher lives as long as the postmaster: it waits for it. */
    public boolean isAlive() {
        return launcher.isAlive();
    }

    public Process launcher() {
        return launcher;
    }

    /** Readiness the way pg_isready sees it: a session can be opened. */
    public boolean acceptsConnections() {
        if (!isAlive()) {
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

    /**
     * A power cut: the postmaster and every backend die at once, nothing is flushed. SIGKILL of a namespace's PID 1
     * kills every process in it; unshare then reaps the postmaster and exits (killed first, it would leave the
     * postmaster a zombie for whatever init the machine has).
     */
    public void kill() {
        List<ProcessHandle> backends = postmaster.descendants().toList(); // without namespaces, they outlive it
        postmaster.destroyForcibly();
        backends.forEach(ProcessHandle::destroyForcibly);
        if (!await(java.time.Duration.ofSeconds(10))) {
            launcher.destroyForcibly();
        }
    }

    /**
     * Container stop: SIGINT, the postgres image's STOPSIGNAL (fast shutdown: "received fast shutdown request");
     * whatever is still there when the grace period is over is killed (SIGKILL).
     */
    public void stop(java.time.Duration gracePeriod) {
        signal("INT", List.of(postmaster.pid()));
        if (!await(gracePeriod)) {
            kill();
        }
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the postmaster and its backends, as fsfreeze does for a snapshot. */
    public void freeze(boolean frozen) {
        List<Long> pids = new java.util.ArrayList<>(List.of(postmaster.pid()));
        postmaster.descendants().forEach(h -> pids.add(h.pid()));
        signal(frozen ? "STOP" : "CONT", pids);
    }

    private boolean await(java.time.Duration timeout) {
        try {
            return launcher.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
