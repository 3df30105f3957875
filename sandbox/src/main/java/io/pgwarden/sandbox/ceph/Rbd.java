package io.pgwarden.sandbox.ceph;

import io.pgwarden.sandbox.control.Storage;
import io.pgwarden.sandbox.postgres.UnsyncedWrites;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The rbd command line of a Rook toolbox, acting on the sandbox's images (ceph src/tools/rbd/action/Snap.cpp and
 * Status.cpp): {@code snap create|ls|rm|rollback <pool>/<image>[@<snap>]} and {@code status <pool>/<image>}, with
 * rbd's messages and its exit code (the errno of a failure). A snapshot is a copy of the image's directory next to
 * it. Rollback of an image a node has mapped is refused with EBUSY (see the README's known differences: real krbd
 * hands its exclusive lock over and the rollback rewrites the image under the mounted filesystem).
 */
public final class Rbd {
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private final Storage storage;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;
    /** rbd's ProgressContext: progress lines on stderr unless {@code --no-progress}. */
    private boolean progress = true;

    public Rbd(Storage storage, Clock clock, PrintStream out, PrintStream err) {
        this.storage = storage;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    /** Runs one rbd command line; answers the process exit code. */
    public int run(List<String> args) {
        progress = !args.contains("--no-progress");
        List<String> words = args.stream().filter(a -> !a.equals("--no-progress")).toList();
        if (words.size() == 2 && words.get(0).equals("status")) {
            return status(words.get(1));
        }
        if (words.size() != 3 || !words.get(0).equals("snap")) {
            err.println("rbd: the sandbox's rbd knows: snap create|ls|rm|rollback <pool>/<image>[@<snap>], status <pool>/<image>");
            return 22;
        }
        String spec = words.get(2);
        return switch (words.get(1)) {
            case "create", "add" -> withSnap(spec, this::create);
            case "ls", "list" -> list(spec);
            case "rm", "remove" -> withSnap(spec, this::remove);
            case "rollback", "revert" -> withSnap(spec, this::rollback);
            default -> {
                err.println("rbd: unknown command 'snap " + words.get(1) + "'");
                yield 22;
            }
        };
    }

    private interface SnapAction {
        int apply(String handle, String snap);
    }

    private int withSnap(String spec, SnapAction action) {
        int at = spec.indexOf('@');
        if (at < 0) {
            err.println("rbd: snapshot name was not specified");
            return 22;
        }
        Optional<String> handle = open(spec.substring(0, at));
        return handle.map(h -> action.apply(h, spec.substring(at + 1))).orElse(2);
    }

    private Optional<String> open(String imageSpec) {
        int slash = imageSpec.indexOf('/');
        String pool = slash < 0 ? "rbd" : imageSpec.substring(0, slash);
        String image = imageSpec.substring(slash + 1);
        Optional<String> handle = storage.findImage(pool, image);
        if (handle.isEmpty()) {
            err.println("rbd: error opening image " + image + ": (2) No such file or directory");
        }
        return handle;
    }

    private int create(String handle, String snap) {
        Path dir = storage.rbdSnapshots(handle);
        if (Files.exists(dir.resolve(snap))) {
            failed("Creating snap");
            err.println("rbd: failed to create snapshot: (17) File exists");
            return 17;
        }
        storage.copy(storage.volume(handle), dir.resolve(snap));
        // Only what reached the OSDs: writes still in a node's page cache are not in the snapshot.
        UnsyncedWrites.leaveOut(storage.root().resolve("unsynced"), storage.volume(handle), dir.resolve(snap));
        Properties info = new Properties();
        info.setProperty("id", Long.toString(nextSnapId()));
        info.setProperty("timestamp", Long.toString(clock.instant().getEpochSecond()));
        info.setProperty("size", Long.toString(storage.imageSize(handle)));
        write(dir.resolve(snap + ".info"), info);
        done("Creating snap");
        return 0;
    }

    private int list(String imageSpec) {
        Optional<String> handle = open(imageSpec);
        if (handle.isEmpty()) {
            return 2;
        }
        List<List<String>> rows = new ArrayList<>();
        for (String snap : snapshots(handle.get())) {
            Properties info = read(storage.rbdSnapshots(handle.get()).resolve(snap + ".info"));
            rows.add(List.of(info.getProperty("id"), snap, bytes(Long.parseLong(info.getProperty("size"))), "",
                    CTIME.format(Instant.ofEpochSecond(Long.parseLong(info.getProperty("timestamp")))
                            .atZone(ZoneId.systemDefault()))));
        }
        if (!rows.isEmpty()) {
            out.print(table(List.of("SNAPID", "NAME", "SIZE", "PROTECTED", "TIMESTAMP"),
                    List.of(true, false, true, false, true), rows));
        }
        return 0;
    }

    private int remove(String handle, String snap) {
        Path dir = storage.rbdSnapshots(handle);
        if (!Files.exists(dir.resolve(snap + ".info"))) {
            failed("Removing snap");
            err.println("rbd: failed to remove snapshot: (2) No such file or directory");
            return 2;
        }
        storage.delete(dir.resolve(snap));
        storage.delete(dir.resolve(snap + ".info"));
        done("Removing snap");
        return 0;
    }

    private int rollback(String handle, String snap) {
        Path dir = storage.rbdSnapshots(handle);
        if (!Files.exists(dir.resolve(snap + ".info"))) {
            failed("Rolling back to snapshot");
            err.println("rbd: rollback failed: (2) No such file or directory");
            return 2;
        }
        if (!storage.watchers(handle).isEmpty()) {
            failed("Rolling back to snapshot");
            err.println("rbd: rollback failed: (16) Device or resource busy");
            return 16;
        }
        storage.copy(dir.resolve(snap), storage.volume(handle));
        done("Rolling back to snapshot");
        return 0;
    }

    /** ceph src/tools/rbd/Utils.cc ProgressContext::finish. */
    private void done(String operation) {
        if (progress) {
            err.println(operation + ": 100% complete...done.");
        }
    }

    /** ProgressContext::fail: printed before the command's error line (Snap.cc calls it first). */
    private void failed(String operation) {
        if (progress) {
            err.println(operation + ": 0% complete...failed.");
        }
    }

    private int status(String imageSpec) {
        Optional<String> handle = open(imageSpec);
        if (handle.isEmpty()) {
            return 2;
        }
        var watchers = storage.watchers(handle.get());
        if (watchers.isEmpty()) {
            out.println("Watchers: none");
            return 0;
        }
        out.println("Watchers:");
        watchers.forEach(node -> out.println("\twatcher=" + node + ":0/0 client." + Math.abs(node.hashCode() % 100000)
                + " cookie=1"));
        return 0;
    }

    private List<String> snapshots(String handle) {
        Path dir = storage.rbdSnapshots(handle);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".info"))
                    .map(n -> n.substring(0, n.length() - ".info".length()))
                    .sorted(Comparator.comparingLong(s -> Long.parseLong(read(dir.resolve(s + ".info")).getProperty("id"))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Snapshot ids come from the pool's snapshot sequence, shared by every image of the pool. */
    private synchronized long nextSnapId() {
        Path seq = storage.root().resolve("rbd-snaps").resolve(".snap-seq");
        storage.create(seq.getParent());
        try {
            long next = Files.exists(seq) ? Long.parseLong(Files.readString(seq).trim()) + 1 : 4;
            Files.writeString(seq, Long.toString(next));
            return next;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ceph's byte_u_t: the largest binary unit that keeps a value of at least 1, e.g. "1 GiB". */
    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return value == Math.floor(value) ? (long) value + " " + units[unit] : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Ceph's TextTable: columns two spaces apart, each left- or right-aligned. */
    static String table(List<String> header, List<Boolean> rightAligned, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (int r = 0; r < all.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String cell = all.get(r).get(i);
                boolean right = r > 0 && rightAligned.get(i);
                line.append(right ? pad(cell, widths[i], true) : pad(cell, widths[i], false));
                line.append(i < widths.length - 1 ? "  " : "");
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }

    private static String pad(String cell, int width, boolean left) {
        String spaces = " ".repeat(width - cell.length());
        return left ? spaces + cell : cell + spaces;
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static void write(Path file, Properties p) {
        try (var out = Files.newOutputStream(file)) {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
