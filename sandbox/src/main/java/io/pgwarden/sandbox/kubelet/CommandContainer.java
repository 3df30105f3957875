package io.pgwarden.sandbox.kubelet;

import io.pgwarden.sandbox.postgres.ProcessIsolation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A container with a command: a real local process, in IPC and mount namespaces of its own (unshare), where each
 * claim's volume directory is bind-mounted onto its mountPath, so the command finds its volumes where the pod spec
 * puts them. A missing mountPath is created on the machine first (an empty directory, the mount point). The sandbox's
 * executables (the rbd command line) come first on its PATH; its output goes to the node's log directory.
 */
final class CommandContainer implements Container {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Process process;

    private CommandContainer(Process process) {
        this.process = process;
    }

    static CommandContainer start(List<String> command, Map<Path, String> mounts, Map<String, String> env,
                                  String workingDir, Path log) {
        List<String> full = new ArrayList<>(ROOT ? List.of("unshare", "--ipc", "--mount", "--propagation", "private")
                : List.of("unshare", "--map-root-user", "--ipc", "--mount", "--propagation", "private"));
        full.addAll(ProcessIsolation.bindMounts(mounts));
        full.addAll(command);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .directory(Path.of(workingDir == null || workingDir.isEmpty() ? "/" : workingDir).toFile());
            builder.environment().putAll(env);
            return new CommandContainer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    Process process() {
        return process;
    }

    @Override
    public boolean isRunning() {
        return process.isAlive();
    }

    /** A container without a readiness probe is ready while it runs. */
    @Override
    public boolean isReady() {
        return process.isAlive();
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    @Override
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    @Override
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** SIGTERM, then SIGKILL once the grace period is over. */
    @Override
    public void stop(Duration gracePeriod) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(Math.max(1, gracePeriod.toMillis()), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
