package io.pgwarden.sandbox.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlFileDamageTest {
    @Test
    void theControlFileKeepsItsIdentityAndVersionsButNotTheRest(@TempDir Path copy) throws Exception {
        Path controlFile = copy.resolve("pgdata/global/pg_control");
        Files.createDirectories(controlFile.getParent());
        byte[] before = new byte[8192];
        new Random(1).nextBytes(before);
        Files.write(controlFile, before);
        Files.writeString(copy.resolve("pgdata/PG_VERSION"), "17\n");

        assertThat(ControlFileDamage.damage(copy)).containsExactly(controlFile);

        byte[] after = Files.readAllBytes(controlFile);
        assertThat(after).hasSize(8192);
        assertThat(Arrays.copyOf(after, 16)).isEqualTo(Arrays.copyOf(before, 16));
        assertThat(Arrays.copyOfRange(after, 16, 8192)).isNotEqualTo(Arrays.copyOfRange(before, 16, 8192));
        assertThat(copy.resolve("pgdata/PG_VERSION")).hasContent("17");
    }

    @Test
    void aCopyWithoutADataDirectoryIsRefused(@TempDir Path copy) {
        assertThatThrownBy(() -> ControlFileDamage.damage(copy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("global/pg_control");
    }
}
