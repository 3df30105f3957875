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
 * What makes a PostgreSQL process look as if it ran on a machine of its own. Each runs in a fresh System V IPC
 * namespace (unshare --ipc): PostgreSQL's shared-memory interlock would otherwise see another node's postmaster on
 * the same data directory and refuse to start, which on two real machines it cannot see. And PostgreSQL refuses
 * to run as root, so when the sandbox runs as root (containers, CI) the servers run as user nobody (setpriv) on
 * directories nobody owns. unshare and setpriv exec, so the process id stays the postmaster's.
 */
final class ProcessIsolation {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String UID = "65534";
    private static final List<String> OWN_IPC = ROOT ? List.of("unshare", "--ipc")
            : works(List.of("unshare", "--map-current-user", "--ipc", "true"))
            ? List.of("unshare", "--map-current-user", "--ipc") : List.of();

    private ProcessIsolation() {
    }

    static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>(OWN_IPC);
        if (ROOT) {
            wrapped.addAll(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
        }
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
