package io.pgwarden.sandbox.kubelet;

import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.record.InvariantRecorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A real PostgreSQL process on the pod's volume directory; ready once it accepts connections. */
final class PostgresContainer implements Container {
    private final PostgresProcess process;
    private volatile boolean ready;

    private PostgresContainer(PostgresProcess process) {
        this.process = process;
    }

    /**
     * Starts the postmaster on its data directory in a volume. A postmaster.pid is honored only when its process is
     * a postmaster of this very volume on this node: another node's processes are invisible from here, exactly as
     * PostgreSQL on a second machine would find the PID in the file dead and start anyway (this is how an unfenced
     * double writer comes about), and the pid file in a copy restored from a snapshot names a process of the
     * original volume.
     */
    static PostgresContainer start(Path bin, Path pgdata, int port, Path log, String node, String pod, String volumeName,
                                   ProcessRegistry registry, InvariantRecorder recorder) {
        Path pidFile = pgdata.resolve("postmaster.pid");
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(pidFile)) {
                Optional<Long> pid = firstLine(pidFile).map(line -> Long.parseLong(line.trim()));
                boolean ownerHere = pid.flatMap(registry::nodeOf).filter(node::equals).isPresent()
                        && pid.flatMap(registry::volumeOf).filter(volumeName::equals).isPresent();
                if (pid.flatMap(registry::nodeOf).isPresent() && !ownerHere) {
                    Files.delete(pidFile);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PostgresProcess process = PostgresProcess.start(bin, pgdata, port, log);
        registry.register(process.process(), node, volumeName);
        recorder.writerStarted(volumeName, node, pod, process.pid());
        process.process().onExit().thenRun(() -> {
            recorder.writerStopped(process.pid());
            registry.unregister(process.pid());
        });
        return new PostgresContainer(process);
    }

    private static Optional<String> firstLine(Path file) throws IOException {
        return Files.readAllLines(file).stream().findFirst();
    }

    /** Probes readiness; the kubelet calls it until it answers true. */
    boolean probe() {
        if (!ready && process.acceptsConnections()) {
            ready = true;
        }
        return ready;
    }

    PostgresProcess process() {
        return process;
    }

    @Override
    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public boolean isReady() {
        return ready && process.isAlive();
    }

    @Override
    public int port() {
        return process.port();
    }

    @Override
    public java.util.OptionalInt exitCode() {
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.process().exitValue());
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public void stop(java.time.Duration gracePeriod) {
        process.stop(gracePeriod);
    }
}
