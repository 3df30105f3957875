package io.pgwarden.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A stopped system's state directory: its volumes and snapshots take 1 to 2 GB a run, its logs a few hundred KB.
 * Only the logs are worth keeping, to read after a failure.
 */
final class StateDirectory {
    /** The services' and the launcher's logs ({@code LocalStack}), and the sandbox's container logs. */
    private static final Set<Path> LOGS = Set.of(Path.of("logs"), Path.of("sandbox", "logs"));

    private StateDirectory() {
    }

    /**
     * Deletes everything under state but the logs; call it once the system is stopped. A file that cannot be deleted
     * is reported and left, and the rest deleted: the run's outcome does not depend on it.
     */
    static void deleteAllButLogs(Path state) {
        try (Stream<Path> paths = Files.walk(state)) {
            paths.sorted(Comparator.reverseOrder()).filter(p -> !kept(state, state.relativize(p))).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    System.err.println("could not delete " + p + ": " + e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not list the state in " + state + ": " + e);
        }
    }

    /** A log, or a directory on the way to one (the state directory itself among them). */
    private static boolean kept(Path state, Path relative) {
        return LOGS.stream().anyMatch(log -> relative.startsWith(log)
                || log.startsWith(relative) && Files.isDirectory(state.resolve(log)))
                || relative.toString().isEmpty();
    }
}
