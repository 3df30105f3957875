package io.pgwarden.sandbox.ceph;

import io.pgwarden.sandbox.control.Storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;

/**
 * The {@code rbd} executable of command containers: a shell script the sandbox writes into its bin directory (first
 * on their PATH) that runs this class on the sandbox's data directory with a JVM of its own, so a Job's
 * {@code bash -c "rbd snap ..."} works as in a Rook toolbox.
 */
public final class RbdCommand {
    private RbdCommand() {
    }

    public static void main(String[] args) {
        Storage storage = new Storage(Path.of(args[0]));
        int code = new Rbd(storage, Clock.systemDefaultZone(), System.out, System.err)
                .run(Arrays.asList(args).subList(1, args.length));
        System.out.flush();
        System.exit(code);
    }

    /** Writes the rbd script for this JVM's java and class path. */
    public static void install(Storage storage) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String script = "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '"
                + System.getProperty("java.class.path") + "' " + RbdCommand.class.getName() + " '"
                + storage.root().toAbsolutePath() + "' \"$@\"\n";
        try {
            Path rbd = storage.create(storage.bin()).resolve("rbd");
            Files.writeString(rbd, script);
            Files.setPosixFilePermissions(rbd, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
