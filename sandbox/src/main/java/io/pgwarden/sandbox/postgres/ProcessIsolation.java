package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What makes a PostgreSQL process look as if it ran in a pod of its own, on a machine of its own. Each postmaster
 * runs in fresh PID and System V IPC namespaces ({@code unshare --pid --ipc --kill-child}), as a container does:
 * it is PID 1 there, so the interlocks of PostgreSQL's CreateLockFile and PGSharedMemoryIsInUse (postgres {@code
 * src/backend/utils/init/miscinit.c}, {@code src/backend/port/sysv_shmem.c}) cannot see another pod's postmaster on
 * the same data directory: a PID in postmaster.pid that is "1" is the starting postmaster itself, hence stale, and
 * the other's shared memory segment is in another IPC namespace. Two pods on one volume, on one node or two, both
 * start, as on a real cluster. And a zombie keeps running: its postmaster rechecks postmaster.pid once a minute
 * (RecheckDataDirLockFile, called from ServerLoop) and only compares the PID on its first line with its own, which
 * the newcomer's file also says is 1; so it never learns that its lock file was replaced, as on two machines that
 * each see their own lock file.
 *
 * <p>PostgreSQL refuses to run as root, so when the sandbox runs as root (containers, CI) the servers run as user
 * nobody (setpriv) on directories nobody owns. Without root, unshare needs a user namespace
 * ({@code --map-current-user}); where even that is not allowed the servers run without namespaces, and a second
 * postmaster on a volume refuses to start (a kinder cluster than a real one: a warning says so).
 */
final class ProcessIsolation {
    private static final Logger LOG = Logger.getLogger(ProcessIsolation.class.getName());
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String UID = "65534";
    private static final List<String> OWN_POD = ownPod();

    private ProcessIsolation() {
    }

    private static List<String> ownPod() {
        List<String> unshare = ROOT ? List.of("unshare", "--ipc", "--pid", "--kill-child")
                : List.of("unshare", "--map-current-user", "--ipc", "--pid", "--kill-child");
        List<String> probe = new ArrayList<>(unshare);
        probe.add("true");
        if (works(probe)) {
            return unshare;
        }
        LOG.warning("PostgreSQL runs without its own PID and IPC namespaces (" + String.join(" ", unshare)
                + " is not allowed here): a second server on one volume will refuse to start, so the sandbox cannot "
                + "show a split brain");
        return List.of();
    }

    static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>(OWN_POD);
        if (ROOT) {
            wrapped.addAll(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
        }
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * The postmaster of a started command: unshare forks it (its PID 1, whose death ends every process of the
     * namespace) and waits for it, so it is the launcher's child; setpriv execs, so the PID stays the postmaster's.
     * Signals go to it, not to unshare, which does not pass them on; and unshare's --kill-child does not survive
     * setpriv's change of user, so killing unshare alone would leave the server running.
     */
    static ProcessHandle postmaster(Process launcher) {
        if (OWN_POD.isEmpty()) {
            return launcher.toHandle();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && launcher.isAlive()) {
            Optional<ProcessHandle> child = launcher.children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return launcher.toHandle(); // it died before forking: nothing else to signal
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
