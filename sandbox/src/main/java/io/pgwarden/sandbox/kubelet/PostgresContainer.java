package io.pgwarden.sandbox.kubelet;

import io.pgwarden.sandbox.postgres.PostgresLayout;
import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.record.InvariantRecorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real PostgreSQL process on the pod's volume directory; ready once it accepts connections. */
final class PostgresContainer implements Container {
    private final PostgresProcess process;
    private final Writer writer;
    private final InvariantRecorder recorder;
    private volatile boolean ready;

    private PostgresContainer(PostgresProcess process, Writer writer, InvariantRecorder recorder) {
        this.process = process;
        this.writer = writer;
        this.recorder = recorder;
    }

    /**
     * Starts the postmaster on its data directory in a volume (and its WAL in another), in a pod of its own, its
     * claims mounted where the pod spec puts them (see ProcessIsolation): another
     * pod's postmaster.pid on the volume, from this node or another, or one a snapshot copied, does not stop it,
     * which is how an unfenced second writer comes about. The interval it writes in is recorded from its start
     * until it dies or the node is fenced.
     */
    static PostgresContainer start(Path bin, PostgresLayout layout, int port, Path log, Writer writer, Map<String, String> env,
                                   ProcessRegistry registry, InvariantRecorder recorder) {
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PostgresProcess process = PostgresProcess.start(bin, layout, port, log, env);
        registry.register(process.launcher());
        writer.started(recorder, process.pid());
        process.launcher().onExit().thenRun(() -> recorder.writerStopped(process.pid()));
        return new PostgresContainer(process, writer, recorder);
    }

    /** Who writes: the pod on a node, on a volume. */
    record Writer(String volume, String node, String pod, String podUid) {
        void started(InvariantRecorder recorder, long pid) {
            recorder.writerStarted(volume, node, pod, podUid, pid);
        }
    }

    /** Probes readiness; the kubelet calls it until it answers true. */
    boolean probe() {
        if (!ready && process.acceptsConnections()) {
            ready = true;
        }
        return ready;
    }

    /** The node's client was blocklisted: this process writes no more, though it may live on. */
    void writeAccessLost() {
        recorder.writerStopped(process.pid());
    }

    /** The blocklist entry is gone: a process that survived it writes again. */
    void writeAccessRegained() {
        if (process.isAlive()) {
            writer.started(recorder, process.pid());
        }
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
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.launcher().exitValue());
    }

    @Override
    public void onExit(Runnable action) {
        process.launcher().onExit().thenRun(action);
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
