package io.pgwarden.sandbox.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Ceph pool behind the sandbox's volumes, on disk, so the sandbox and the rbd command line it gives to
 * containers see the same images: a volume is a directory named by its CSI volume handle, as an RBD image is a
 * block device named by it; a node that maps an image is one of its watchers (what {@code rbd status} lists and
 * what ceph-csi's DeleteVolume refuses to delete under).
 */
public final class Storage {
    private final Path root;

    public Storage(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The image of a volume handle. */
    public Path volume(String handle) {
        return root.resolve("volumes").resolve(handle);
    }

    /** The image a CSI snapshot made (ceph-csi clones the volume to csi-snap-<uuid>), by its snapshot handle. */
    public Path snapshot(String snapshotHandle) {
        return root.resolve("snapshots").resolve(snapshotHandle);
    }

    /** Where `rbd snap create` keeps an image's snapshots: one directory and one info file per snapshot. */
    public Path rbdSnapshots(String handle) {
        return root.resolve("rbd-snaps").resolve(handle);
    }

    public Path logs(String node) {
        return root.resolve("logs").resolve(node);
    }

    /** The directory of executables the sandbox puts on command containers' PATH (the rbd command line). */
    public Path bin() {
        return root.resolve("bin");
    }

    private Path watcherDir(String handle) {
        return root.resolve("watchers").resolve(handle);
    }

    private Path sizeFile(String handle) {
        return root.resolve("images").resolve(handle);
    }

    /** A new image of the given size (what CreateVolume does); its directory starts empty. */
    public void createImage(String handle, long bytes) {
        create(volume(handle));
        create(sizeFile(handle).getParent());
        write(sizeFile(handle), Long.toString(bytes));
    }

    public long imageSize(String handle) {
        try {
            return Files.exists(sizeFile(handle)) ? Long.parseLong(Files.readString(sizeFile(handle)).trim()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void deleteImage(String handle) {
        delete(volume(handle));
        delete(sizeFile(handle));
        delete(rbdSnapshots(handle));
    }

    /** The handle of image {@code pool/image}, as ceph-csi names images after the handle's uuid. */
    public Optional<String> findImage(String pool, String image) {
        Path volumes = root.resolve("volumes");
        if (!Files.isDirectory(volumes)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(volumes)) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(h -> CsiVolumeHandle.parse(h).filter(v -> v.imageName().equals(image)).isPresent())
                    .filter(h -> pool.equals(poolName(CsiVolumeHandle.parse(h).get().poolId())))
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String poolName(long poolId) {
        return poolId == io.pgwarden.sandbox.StorageNames.POOL_ID ? io.pgwarden.sandbox.StorageNames.POOL
                : "pool-" + poolId;
    }

    /** A node maps the image (rbd map): it becomes a watcher until it unmaps it. */
    public synchronized void map(String handle, String node) {
        create(watcherDir(handle));
        write(watcherDir(handle).resolve(node), "");
    }

    public synchronized void unmap(String handle, String node) {
        delete(watcherDir(handle).resolve(node));
    }

    /** The nodes that have the image mapped. */
    public synchronized Set<String> watchers(String handle) {
        Path dir = watcherDir(handle);
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Empties the volumes, snapshots and logs of an earlier run: the API server's objects live in memory, so a
     * volume left on disk belongs to no claim any more and must not surface in a new one of the same name.
     */
    public void reset() {
        for (String dir : new String[]{"volumes", "images", "snapshots", "rbd-snaps", "watchers", "logs"}) {
            delete(root.resolve(dir));
        }
    }

    public void delete(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    public Path create(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A block-exact copy of a directory tree, as a snapshot or clone of an image is: owners, modes, timestamps,
     * symbolic links and empty directories are kept ({@code cp -a}); the target's previous content is replaced.
     */
    public void copy(Path from, Path to) {
        delete(to);
        create(to);
        try {
            Process cp = new ProcessBuilder(List.of("cp", "-a", "--", from + "/.", to.toString()))
                    .redirectErrorStream(true).start();
            String output = new String(cp.getInputStream().readAllBytes());
            if (!cp.waitFor(10, TimeUnit.MINUTES) || cp.exitValue() != 0) {
                throw new IOException("cp -a " + from + " " + to + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
