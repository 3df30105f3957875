package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What a node's storage does to its PostgreSQL's volume I/O, through a library ({@code nodestorage.c}) preloaded
 * into every server. A Ceph blocklist entry covering the node's client: every read, write and fsync of a file on a
 * volume fails with EIO while the node's flag file exists (its kubelet creates it), as the I/O of a blocklisted RBD
 * client does, so PostgreSQL PANICs at its next WAL write or fsync, and a session answering from shared buffers
 * keeps answering. And the node's page cache: the writes no fsync covered are journaled ({@link UnsyncedWrites}).
 *
 * <p>Why not a read-only remount of the node's view of the volumes: Linux refuses it (EBUSY) while a process holds
 * a file open for writing, which a running PostgreSQL always does; and without device-mapper or libfuse there is
 * no block device or file system to fail under it. The library is compiled once with the machine's C compiler;
 * without one, a fence kills the node's servers instead (the old, kinder model) and no write is lost at a power
 * cut, with a warning.
 */
public final class NodeStorage {
    private static final Logger LOG = Logger.getLogger(NodeStorage.class.getName());
    private static final String SOURCE = "nodestorage.c";
    private static volatile Optional<Path> library;

    private NodeStorage() {
    }

    /** Whether fenced I/O fails on this machine; false means a fence kills the servers instead. */
    public static boolean failsIo() {
        return library().isPresent();
    }

    /**
     * The environment that makes a server's I/O on files under {@code volumes} fail while {@code flag} exists, and
     * journals its unsynced writes to {@code journal}.
     */
    public static Map<String, String> environment(Path volumes, Path flag, Path journal) {
        return library().map(lib -> Map.of("LD_PRELOAD", lib.toString(), "SANDBOX_VOLUMES",
                volumes.toAbsolutePath() + "/", "SANDBOX_BLOCKLISTED", flag.toAbsolutePath().toString(),
                "SANDBOX_JOURNAL", journal.toAbsolutePath().toString())).orElse(Map.of());
    }

    /**
     * SANDBOX_MOUNTS for a server that sees its volumes at their mountPaths ({@code mountPath=directory:...}): the
     * library takes a path it sees for the machine's, so it fences, journals and undoes the volume's file.
     */
    static String mounts(Map<String, Path> mounts) {
        return mounts.entrySet().stream().map(e -> Path.of(e.getKey()).normalize() + "=" + e.getValue().toAbsolutePath())
                .collect(java.util.stream.Collectors.joining(":"));
    }

    private static synchronized Optional<Path> library() {
        if (library == null) {
            library = compile();
        }
        return library;
    }

    private static Optional<Path> compile() {
        try (InputStream in = NodeStorage.class.getResourceAsStream(SOURCE)) {
            byte[] source = in.readAllBytes();
            String hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(source))
                    .substring(0, 12);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-sandbox-nodestorage-" + hash);
            Path lib = dir.resolve("nodestorage.so");
            if (Files.exists(lib)) {
                return Optional.of(lib);
            }
            Files.createDirectories(dir);
            Path src = Files.createTempFile(dir, "nodestorage", ".c");
            Path out = Files.createTempFile(dir, "nodestorage", ".so");
            Files.write(src, source);
            Process cc = new ProcessBuilder(List.of("cc", "-shared", "-fPIC", "-O2", "-o", out.toString(),
                    src.toString(), "-ldl")).redirectErrorStream(true).start();
            String output = new String(cc.getInputStream().readAllBytes());
            if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                return unavailable("cc failed: " + output);
            }
            dir.toFile().setExecutable(true, false);
            out.toFile().setReadable(true, false);
            out.toFile().setExecutable(true, false);
            Files.move(out, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(src);
            return Optional.of(lib);
        } catch (IOException e) {
            return unavailable(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Path> unavailable(String why) {
        LOG.warning("cannot build the node storage library (" + why + "): a fenced node's PostgreSQL is killed "
                + "instead of failing its I/O, and a power cut loses no write");
        return Optional.empty();
    }

    /** Creates or removes a node's blocklist flag. */
    public static void set(Path flag, boolean blocklisted) {
        try {
            if (blocklisted) {
                Files.createDirectories(flag.getParent());
                if (!Files.exists(flag)) {
                    Files.createFile(flag);
                }
            } else {
                Files.deleteIfExists(flag);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot " + (blocklisted ? "create " : "remove ") + flag, e);
        }
    }
}
