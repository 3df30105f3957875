package io.pgwarden.sandbox.ceph;

import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.control.CsiVolumeHandle;
import io.pgwarden.sandbox.control.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RbdTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int rbd(Storage storage, String... args) {
        out.reset();
        err.reset();
        return new Rbd(storage, Clock.fixed(Instant.parse("2024-10-22T17:10:57Z"), ZoneId.of("UTC")),
                new PrintStream(out, true), new PrintStream(err, true)).run(List.of(args));
    }

    @Test
    void snapshotsAreCreatedListedRolledBackAndRemoved() throws Exception {
        Storage storage = new Storage(dir);
        CsiVolumeHandle handle = CsiVolumeHandle.generate(StorageNames.CLUSTER_ID, StorageNames.POOL_ID);
        storage.createImage(handle.toString(), 1L << 30);
        Path data = storage.volume(handle.toString()).resolve("file");
        Files.writeString(data, "before");
        String image = "replicapool/" + handle.imageName();

        assertThat(rbd(storage, "snap", "create", image + "@before")).isZero();
        assertThat(rbd(storage, "snap", "create", image + "@before")).isEqualTo(17);
        Files.writeString(data, "after");
        assertThat(rbd(storage, "snap", "ls", image)).isZero();
        assertThat(out.toString()).startsWith("SNAPID  NAME    SIZE   PROTECTED  TIMESTAMP")
                .contains("     4  before  1 GiB");

        assertThat(rbd(storage, "snap", "rollback", image + "@before")).isZero();
        assertThat(Files.readString(data)).isEqualTo("before");

        assertThat(rbd(storage, "snap", "rm", image + "@before")).isZero();
        assertThat(rbd(storage, "snap", "ls", image)).isZero();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMappedImageIsNotRolledBack() throws Exception {
        Storage storage = new Storage(dir);
        CsiVolumeHandle handle = CsiVolumeHandle.generate(StorageNames.CLUSTER_ID, StorageNames.POOL_ID);
        storage.createImage(handle.toString(), 1L << 30);
        Path data = storage.volume(handle.toString()).resolve("file");
        Files.writeString(data, "before");
        String image = "replicapool/" + handle.imageName();
        rbd(storage, "snap", "create", image + "@before");
        Files.writeString(data, "after");
        storage.map(handle.toString(), "node001");

        assertThat(rbd(storage, "status", image)).isZero();
        assertThat(out.toString()).startsWith("Watchers:\n\twatcher=node001");
        assertThat(rbd(storage, "snap", "rollback", image + "@before")).isEqualTo(16);
        assertThat(err.toString()).contains("rbd: rollback failed: (16) Device or resource busy");
        assertThat(Files.readString(data)).isEqualTo("after");

        storage.unmap(handle.toString(), "node001");
        assertThat(rbd(storage, "status", image)).isZero();
        assertThat(out.toString()).isEqualTo("Watchers: none\n");
    }

    @Test
    void progressLinesGoToStderrUnlessNoProgress() {
        Storage storage = new Storage(dir);
        CsiVolumeHandle handle = CsiVolumeHandle.generate(StorageNames.CLUSTER_ID, StorageNames.POOL_ID);
        storage.createImage(handle.toString(), 1L << 30);
        String image = "replicapool/" + handle.imageName();

        assertThat(rbd(storage, "snap", "create", image + "@s")).isZero();
        assertThat(err.toString()).isEqualTo("Creating snap: 100% complete...done.\n");
        assertThat(rbd(storage, "snap", "create", image + "@s")).isEqualTo(17);
        assertThat(err.toString()).isEqualTo("Creating snap: 0% complete...failed.\n"
                + "rbd: failed to create snapshot: (17) File exists\n");
        assertThat(rbd(storage, "snap", "create", "--no-progress", image + "@s")).isEqualTo(17);
        assertThat(err.toString()).isEqualTo("rbd: failed to create snapshot: (17) File exists\n");
        assertThat(rbd(storage, "snap", "rm", "--no-progress", image + "@s")).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(rbd(storage, "snap", "rm", image + "@s")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("Removing snap: 0% complete...failed.\n"
                + "rbd: failed to remove snapshot: (2) No such file or directory\n");
    }

    @Test
    void anUnknownImageIsNotFound() {
        assertThat(rbd(new Storage(dir), "snap", "ls", "replicapool/csi-vol-nothing")).isEqualTo(2);
        assertThat(err.toString()).contains("rbd: error opening image csi-vol-nothing: (2) No such file or directory");
    }
}
