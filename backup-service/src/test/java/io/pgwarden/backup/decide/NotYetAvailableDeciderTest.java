package io.pgwarden.backup.decide;

import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.operations.core.Decision;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotYetAvailableDeciderTest {

    @Test
    void a_missing_cluster_fails_naming_what_is_missing() {
        Decision<Void> d = NotYetAvailableDecider.decide(new TakeBackup("default", "nope", BackupMethod.ONLINE, null, null, null,
                null), false);
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("cluster default/nope does not exist (no StatefulSet nope in namespace default)");
    }

    @Test
    void an_existing_cluster_fails_honestly_until_the_snapshot_methods_exist() {
        Decision<Void> d = NotYetAvailableDecider.decide(new RestoreBackup("default", "pg", "b1", null), true);
        assertThat(d.next()).isEqualTo(Decision.Next.FAIL);
        assertThat(d.outcome()).isEqualTo("io.pgwarden.RestoreBackup is not available in this version of backup-service");
        assertThat(d.actions()).isEmpty();
    }
}
