package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL refuses to run as root. When the sandbox runs as root (as in containers and CI), the servers run as
 * user nobody through setpriv (which execs, so the process id stays the postmaster's) on directories nobody owns.
 */
final class ServerUser {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String UID = "65534";

    private ServerUser() {
    }

    static List<String> command(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives the volume to the server user and lets it traverse the directories above. */
    static void own(Path volume) throws IOException {
        if (!ROOT) {
            return;
        }
        run(List.of("chown", "-R", UID + ":" + UID, volume.toString()));
        for (Path p = volume.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
