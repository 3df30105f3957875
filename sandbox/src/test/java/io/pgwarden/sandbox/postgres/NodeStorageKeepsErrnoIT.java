package io.pgwarden.sandbox.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The node storage library leaves errno as each call leaves it. PostgreSQL reads errno after a successful read when
 * it copies the parent timeline's history at a promotion (postgres src/backend/access/transam/timeline.c,
 * writeTimeLineHistory); an errno left over from the library's own checks failed every recovery of a backup taken on
 * timeline 2 or later with "could not read file "pg_wal/00000002.history": No such file or directory".
 */
class NodeStorageKeepsErrnoIT {
    private static final String PROBE = """
            #include <errno.h>
            #include <fcntl.h>
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                char buffer[16];
                int fd = open(argv[1], O_RDWR);
                errno = 0; read(fd, buffer, sizeof buffer); printf("read %d\\n", errno);
                errno = 0; pwrite(fd, "x", 1, 0); printf("write %d\\n", errno);
                errno = 0; fsync(fd); printf("fsync %d\\n", errno);
                close(fd);
                errno = 0; unlink(argv[1]); printf("unlink %d\\n", errno);
                return 0;
            }
            """;

    @TempDir
    Path root;

    @Test
    void successfulCallsOnAVolumeLeaveErrnoAlone() throws Exception {
        assumeTrue(NodeStorage.failsIo(), "no C compiler: the library cannot be built here");
        Path volume = Files.createDirectories(root.resolve("volumes").resolve("pvc-1"));
        Path file = volume.resolve("00000002.history");
        Files.writeString(file, "1\t0/3000000\tno recovery target specified\n");
        Files.writeString(root.resolve("probe.c"), PROBE);
        assertThat(run(List.of("cc", "-o", root.resolve("probe").toString(), root.resolve("probe.c").toString()), false))
                .isEmpty();

        String errnos = run(List.of(root.resolve("probe").toString(), file.toString()), true);

        assertThat(errnos).as("errno after each successful call").isEqualTo("read 0\nwrite 0\nfsync 0\nunlink 0\n");
    }

    /** Runs a command, with the library preloaded as the node's servers run, and returns its output. */
    private String run(List<String> command, boolean preloaded) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (preloaded) {
            // The fence's flag file does not exist: the node is not fenced, as almost always.
            builder.environment().putAll(NodeStorage.environment(root.resolve("volumes"), root.resolve("not-fenced"),
                    UnsyncedWrites.journal(root, "node001")));
        }
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
