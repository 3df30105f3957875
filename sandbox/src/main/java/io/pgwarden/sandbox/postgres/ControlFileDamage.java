package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Damages a copy of a volume the way a bad snapshot would, so that PostgreSQL notices: the control file
 * ({@code global/pg_control}) of every data directory in it gets garbage after its first 16 bytes (the system
 * identifier and the two version numbers stay). PostgreSQL reads it before anything else and checks its CRC
 * (postgres {@code src/backend/access/transam/xlog.c} ReadControlFile), so the server refuses to start with
 * "incorrect checksum in control file". Zeroing a relation's file instead would go unnoticed: PostgreSQL 17's
 * initdb enables no data checksums by default, and an all-zero page passes as a new, empty page
 * ({@code src/backend/storage/page/bufpage.c} PageIsVerifiedExtended), so rows would vanish silently.
 */
public final class ControlFileDamage {
    /** The system identifier (8 bytes), pg_control_version and catalog_version_no (4 each): kept intact. */
    private static final int KEPT = 16;

    private ControlFileDamage() {
    }

    /** Damages each control file under {@code copy}; refuses a copy without one. */
    public static List<Path> damage(Path copy) {
        List<Path> controlFiles;
        try (Stream<Path> files = Files.walk(copy)) {
            controlFiles = files.filter(f -> f.endsWith(Path.of("global", "pg_control")) && Files.isRegularFile(f))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + copy, e);
        }
        if (controlFiles.isEmpty()) {
            throw new IllegalArgumentException("no PostgreSQL data directory (global/pg_control) in " + copy.getFileName());
        }
        controlFiles.forEach(ControlFileDamage::scramble);
        return controlFiles;
    }

    private static void scramble(Path controlFile) {
        try (RandomAccessFile file = new RandomAccessFile(controlFile.toFile(), "rw")) {
            byte[] garbage = new byte[(int) Math.max(0, file.length() - KEPT)];
            ThreadLocalRandom.current().nextBytes(garbage);
            file.seek(KEPT);
            file.write(garbage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot damage " + controlFile, e);
        }
    }
}
