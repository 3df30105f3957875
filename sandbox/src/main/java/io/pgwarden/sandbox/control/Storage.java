package io.pgwarden.sandbox.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where volumes and snapshots live: a PersistentVolume is a directory, as a Ceph RBD image is a block device. */
public record Storage(Path root) {
    public Path volume(String pv) {
        return root.resolve("volumes").resolve(pv);
    }

    public Path snapshot(String content) {
        return root.resolve("snapshots").resolve(content);
    }

    public Path logs(String node) {
        return root.resolve("logs").resolve(node);
    }

    /**
     * Empties the volumes, snapshots and logs of an earlier run: the API server's objects live in memory, so a
     * volume left on disk belongs to no claim any more and must not surface in a new one of the same name.
     */
    public void reset() {
        for (String dir : new String[]{"volumes", "snapshots", "logs"}) {
            delete(root.resolve(dir));
        }
    }

    public void delete(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var files = Files.walk(path)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
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
}
