package io.pgwarden.sandbox.postgres;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The node storage library journals what no fsync covered; a power cut and a snapshot leave it out. */
class UnsyncedWritesIT {
    @TempDir
    Path root;
    private Path volume;
    private Path file;
    private Path journal;

    @BeforeEach
    void volumeWithAFile() throws Exception {
        assumeTrue(NodeStorage.failsIo(), "no C compiler: the library cannot be built here");
        volume = Files.createDirectories(root.resolve("volumes").resolve("pvc-1"));
        file = volume.resolve("data");
        Files.writeString(file, "durable");
        journal = UnsyncedWrites.journal(root, "node001");
    }

    @Test
    void aPowerCutLosesTheWritesNoFsyncCovered() throws Exception {
        write("overwrite-and-grow-past-the-old-end", false);
        assertThat(Files.readString(file)).isEqualTo("overwrite-and-grow-past-the-old-end");

        UnsyncedWrites.lose(journal);

        assertThat(Files.readString(file)).isEqualTo("durable");
        try (var left = Files.list(journal)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void whatAnFsyncCoveredSurvivesThePowerCut() throws Exception {
        write("synced!", true);
        write("LATER", false);

        UnsyncedWrites.lose(journal);

        assertThat(Files.readString(file)).isEqualTo("synced!");
    }

    @Test
    void aSnapshotHoldsOnlyWhatReachedTheDisk() throws Exception {
        write("unsynced", false);
        Path copy = Files.createDirectories(root.resolve("snapshots").resolve("snap-1"));
        Files.copy(file, copy.resolve("data"));

        UnsyncedWrites.leaveOut(root.resolve("unsynced"), volume, copy);

        assertThat(Files.readString(copy.resolve("data"))).isEqualTo("durable");
        assertThat(Files.readString(file)).as("the volume itself keeps the write").isEqualTo("unsynced");
    }

    @Test
    void aDeletedFileTakesItsUnsyncedWritesAlongNotALaterFileOfItsName() throws Exception {
        write("unsynced", false);
        run("rm \"$0\"", file.toString());
        Files.writeString(file, "a later file");

        UnsyncedWrites.lose(journal);

        assertThat(Files.readString(file)).isEqualTo("a later file");
    }

    /** Overwrites the file from its start through the library, as a server would, with or without fsync. */
    private void write(String content, boolean fsync) throws Exception {
        run("printf '%s' \"$0\" | dd of=\"$1\" conv=notrunc" + (fsync ? ",fsync" : "") + " status=none", content,
                file.toString());
    }

    /** A shell command with the library preloaded, as the node's servers run. */
    private void run(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder sh = new ProcessBuilder(command);
        sh.environment().putAll(NodeStorage.environment(root.resolve("volumes"), root.resolve("not-fenced"), journal));
        Process p = sh.inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
