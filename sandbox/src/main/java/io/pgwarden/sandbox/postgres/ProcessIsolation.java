package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * <p>As root, the pod also gets a mount namespace of its own ({@code --mount --propagation private}) where each claim's
 * volume is bind-mounted onto its mountPath, as the kubelet's NodePublishVolume bind-mounts it into the container:
 * the server runs on PGDATA as the pod spec names it, and a {@code pg_wal} symlink initdb made to a WAL claim's
 * mountPath leads to whichever volume this pod has mounted there (after a restore, a new one).
 *
 * <p>PostgreSQL refuses to run as root, so when the sandbox runs as root (containers, CI) the servers run as user
 * nobody (setpriv) on directories nobody owns. Without root, unshare needs a user namespace
 * ({@code --map-current-user}) and cannot create the mountPaths on the machine, so the servers run on the volumes'
 * paths on the machine, without a mount namespace; where even the user namespace is not allowed the servers run
 * without namespaces, and a second postmaster on a volume refuses to start (a kinder cluster than a real one: a
 * warning says so).
 */
public final class ProcessIsolation {
    private static final Logger LOG = Logger.getLogger(ProcessIsolation.class.getName());
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String UID = "65534";
    private static final List<String> OWN_POD = ownPod();
    /** Mounts each source onto its target, then execs the command: sh -c SCRIPT sh src1 dst1 ... -- command... */
    private static final String MOUNT_AND_EXEC = "while [ \"$1\" != -- ]; do mkdir -p \"$2\" && mount --bind \"$1\" "
            + "\"$2\" || exit 125; shift 2; done; shift; exec \"$@\"";

    private ProcessIsolation() {
    }

    private static List<String> ownPod() {
        List<String> unshare = ROOT ? List.of("unshare", "--ipc", "--pid", "--mount", "--propagation", "private", "--kill-child")
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

    /** Whether servers see their claims at their mountPaths; if not, they run on the volumes' paths on the machine. */
    static boolean mountsClaims() {
        return ROOT && !OWN_POD.isEmpty();
    }

    /** The command in a pod of its own, with each volume directory of {@code mounts} bound onto its mountPath. */
    static List<String> command(List<String> command, Map<Path, String> mounts) {
        List<String> wrapped = new ArrayList<>(OWN_POD);
        if (mountsClaims()) {
            wrapped.addAll(bindMounts(mounts));
        }
        if (ROOT) {
            wrapped.addAll(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
        }
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * {@code sh -c SCRIPT sh source target ... --}, to put before a command run in a mount namespace of its own: it
     * bind-mounts each source onto its target (created first if missing, as an empty directory on the machine),
     * outer mountPaths before those nested in them, then execs the command.
     */
    public static List<String> bindMounts(Map<Path, String> mounts) {
        List<String> script = new ArrayList<>(List.of("sh", "-c", MOUNT_AND_EXEC, "sh"));
        mounts.entrySet().stream().sorted(Comparator.comparingInt(e -> Path.of(e.getValue()).normalize().getNameCount()))
                .forEach(e -> script.addAll(List.of(e.getKey().toString(), e.getValue())));
        script.add("--");
        return script;
    }

    /**
     * The postmaster of a started command: unshare forks it (its PID 1, whose death ends every process of the
     * namespace) and waits for it, so it is the launcher's child; the mount script and setpriv exec, so the PID stays
     * the postmaster's.
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
