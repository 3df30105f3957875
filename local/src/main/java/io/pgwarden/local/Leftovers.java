package io.pgwarden.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a crashed earlier run left running: the service processes it recorded, and every PostgreSQL
 * whose {@code postmaster.pid} is still under the state directory. Reaped before a new start, so
 * "start again after a crash" works and finds its ports free.
 */
final class Leftovers {
    static final String PID_FILE = "pids";

    private Leftovers() {
    }

    static void record(Path stateDir, List<Long> pids) {
        try {
            Files.createDirectories(stateDir);
            Files.write(stateDir.resolve(PID_FILE), pids.stream().map(String::valueOf).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void forget(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(PID_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills what an earlier run left; returns how many processes that was. */
    static int reap(Path stateDir) {
        if (!Files.isDirectory(stateDir)) {
            return 0;
        }
        int reaped = 0;
        for (long pid : recordedPids(stateDir)) {
            reaped += kill(pid, "java") ? 1 : 0;
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path pidFile : files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).toList()) {
                Optional<Long> pid = firstLineAsPid(pidFile);
                if (pid.isPresent() && kill(pid.get(), "postgres")) {
                    reaped++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        forget(stateDir);
        return reaped;
    }

    private static List<Long> recordedPids(Path stateDir) {
        Path file = stateDir.resolve(PID_FILE);
        try {
            return Files.exists(file)
                    ? Files.readAllLines(file).stream().map(String::trim).filter(s -> s.matches("\\d+"))
                    .map(Long::valueOf).toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Long> firstLineAsPid(Path pidFile) {
        try {
            return Files.readAllLines(pidFile).stream().findFirst().map(String::trim)
                    .filter(s -> s.matches("\\d+")).map(Long::valueOf);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Kills pid only if it still runs the program we started, not a process that reused the number. */
    private static boolean kill(long pid, String program) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains(program)).orElse(false))
                .map(p -> {
                    p.destroyForcibly();
                    p.onExit().join();
                    return true;
                })
                .orElse(false);
    }
}
