package io.pgwarden.backup.rbd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RbdNamesTest {

    @Test
    void snapshotsAreNamedAfterTheBackupAndTheClaimsRole() {
        assertThat(RbdNames.snapshot("pg-a-20261127-120000", "data")).isEqualTo("pg-a-20261127-120000-data");
        assertThat(RbdNames.snapshot("pg-a-20261127-120000", "wal-tail")).isEqualTo("pg-a-20261127-120000-wal-tail");
        assertThat(RbdNames.safetySnapshot("r-42")).isEqualTo("pgwarden-before-restore-r-42");
    }

    @Test
    void aJobIsNamedAfterItsOperationAndStepTheSameOnEveryRun() {
        assertThat(RbdNames.job("pg-a-20261127-120000", "snap-data")).isEqualTo("rbd-pg-a-20261127-120000-snap-data");
        assertThat(RbdStep.takeSnapshot("pg-a-20261127-120000", "data", new RbdImage("p", "", "i"), null).jobName())
                .isEqualTo(RbdStep.takeSnapshot("pg-a-20261127-120000", "data", new RbdImage("p", "", "i"), null).jobName());
    }

    @Test
    void aLongNameIsCutToALabelKeepingItUnique() {
        String cluster = "a-database-with-a-very-long-statefulset-name-that-goes-on-and-on";
        String one = RbdNames.job(cluster + "-20261127-120000", "snap-data");
        String other = RbdNames.job(cluster + "-20261127-120001", "snap-data");

        assertThat(one).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").isNotEqualTo(other);
        assertThat(one).isEqualTo(RbdNames.job(cluster + "-20261127-120000", "snap-data"));
        assertThat(RbdNames.labelValue(cluster + "-20261127-120000")).hasSize(63);
        assertThat(RbdNames.labelValue("pg-a-20261127-120000")).isEqualTo("pg-a-20261127-120000");
    }
}
