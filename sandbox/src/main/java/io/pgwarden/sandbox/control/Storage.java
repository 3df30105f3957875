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

    public Path binaries() {
        return root.resolve("postgres-17");
    }

    public Path create(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
