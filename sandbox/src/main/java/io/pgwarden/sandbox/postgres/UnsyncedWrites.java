package io.pgwarden.sandbox.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The writes of a node's PostgreSQL processes that no fsync has covered yet, in the manner of Jepsen's LazyFS: the
 * preloaded library ({@code nodestorage.c}) journals, before each write to a volume file, the bytes it overwrites,
 * and forgets a file's journal once an fsync or fdatasync of it succeeds. A power cut loses what is journaled, as
 * a machine's page cache loses its dirty pages; a crash-consistent snapshot does not contain it either. File
 * contents only: creating, truncating, renaming and deleting files are kept as done.
 */
public final class UnsyncedWrites {
    private UnsyncedWrites() {
    }

    /** A node's journal directory, writable by the servers' user; a node boots with an empty one. */
    public static Path journal(Path root, String node) {
        Path dir = root.resolve("unsynced").resolve(node);
        try {
            Files.createDirectories(dir);
            for (Path p = dir; !p.equals(root); p = p.getParent()) {
                p.toFile().setWritable(true, false);
                p.toFile().setExecutable(true, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        empty(dir);
        return dir;
    }

    /** Power cut: every unsynced write of the node is undone on the volumes, and its journal emptied. */
    public static void lose(Path journal) {
        undo(journal, Path::of);
        empty(journal);
    }

    private static void empty(Path journal) {
        try (Stream<Path> files = Files.list(journal)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + journal, e);
        }
    }

    /**
     * A snapshot: the unsynced writes of every node (the journals under {@code journals}) to files under {@code
     * volume} are undone in its copy, which the servers never wrote to.
     */
    public static void leaveOut(Path journals, Path volume, Path copy) {
        String prefix = volume.toAbsolutePath() + "/";
        try (Stream<Path> nodes = Files.isDirectory(journals) ? Files.list(journals) : Stream.empty()) {
            for (Path journal : (Iterable<Path>) nodes::iterator) {
                undo(journal, path -> path.startsWith(prefix) ? copy.resolve(path.substring(prefix.length())) : null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + journals, e);
        }
    }

    private record Record(long offset, long oldSize, String path, byte[] overwritten) {
    }

    /** Undoes the records of each file's journals, newest first; {@code target} maps a path, null to skip it. */
    private static void undo(Path journal, Function<String, Path> target) {
        if (!Files.isDirectory(journal)) {
            return;
        }
        Map<String, List<Path>> byFile = new TreeMap<>();
        try (Stream<Path> files = Files.list(journal)) {
            // <dev>-<ino> is the newest journal of a file; <dev>-<ino>.s<pid> ones were being synced when cut off.
            files.forEach(f -> byFile.computeIfAbsent(f.getFileName().toString().split("\\.")[0], k -> new ArrayList<>())
                    .add(f));
            for (List<Path> journals : byFile.values()) {
                journals.sort(Comparator.comparing((Path f) -> f.getFileName().toString().contains(".s"))
                        .thenComparing(UnsyncedWrites::modified, Comparator.reverseOrder()));
                long inode = Long.parseUnsignedLong(journals.get(0).getFileName().toString().split("[-.]")[1], 16);
                for (Path f : journals) {
                    List<Record> records = read(f);
                    for (int i = records.size() - 1; i >= 0; i--) {
                        Record r = records.get(i);
                        Path file = target.apply(r.path());
                        // Only the file that was written: a later one under the same name has other pages.
                        if (file != null && Files.isRegularFile(file) && inode(Path.of(r.path())) == inode) {
                            restore(file, r);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot undo the writes journaled in " + journal, e);
        }
    }

    private static long inode(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void restore(Path file, Record r) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(r.offset());
            raf.write(r.overwritten());
            raf.setLength(r.oldSize());
        }
    }

    private static List<Record> read(Path journal) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(journal)).order(ByteOrder.LITTLE_ENDIAN);
        List<Record> records = new ArrayList<>();
        while (in.remaining() >= 28) {
            long offset = in.getLong();
            long overwritten = in.getLong();
            long oldSize = in.getLong();
            int pathLength = in.getInt();
            if (in.remaining() < pathLength + overwritten) {
                break; // the last append was cut short
            }
            byte[] path = new byte[pathLength];
            in.get(path);
            byte[] bytes = new byte[(int) overwritten];
            in.get(bytes);
            records.add(new Record(offset, oldSize, new String(path, StandardCharsets.UTF_8), bytes));
        }
        return records;
    }
}
