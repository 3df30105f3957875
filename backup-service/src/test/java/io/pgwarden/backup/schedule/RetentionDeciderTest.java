package io.pgwarden.backup.schedule;

import io.pgwarden.backup.schedule.RetentionDecider.Expired;
import io.pgwarden.backup.schedule.RetentionDecider.Kept;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionDeciderTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final List<Kept> FIVE_DAYS = List.of(
            new Kept("pg-20261123-100000", NOW.minus(Duration.ofDays(4))),
            new Kept("pg-20261126-100000", NOW.minus(Duration.ofDays(1))),
            new Kept("pg-20261124-100000", NOW.minus(Duration.ofDays(3))),
            new Kept("pg-20261127-100000", NOW),
            new Kept("pg-20261125-100000", NOW.minus(Duration.ofDays(2))));

    @Test
    void keep_last_deletes_the_oldest_beyond_it() {
        assertThat(RetentionDecider.expired(FIVE_DAYS, new Retention(3, null), "pg-20261127-100000", Set.of(), NOW))
                .containsExactly(new Expired("pg-20261124-100000", "beyond the last 3 backups"),
                        new Expired("pg-20261123-100000", "beyond the last 3 backups"));
    }

    @Test
    void max_age_deletes_the_older_ones() {
        assertThat(RetentionDecider.expired(FIVE_DAYS, new Retention(null, Duration.ofHours(60)),
                "pg-20261127-100000", Set.of(), NOW)).extracting(Expired::id)
                .containsExactly("pg-20261124-100000", "pg-20261123-100000");
        assertThat(RetentionDecider.expired(FIVE_DAYS, new Retention(4, Duration.ofHours(60)),
                "pg-20261127-100000", Set.of(), NOW)).extracting(Expired::reason)
                .containsExactly("older than PT60H (259200 s)", "beyond the last 4 backups");
    }

    @Test
    void the_last_good_backup_and_those_in_use_are_kept() {
        List<Kept> old = List.of(new Kept("pg-a", NOW.minus(Duration.ofDays(9))),
                new Kept("pg-b", NOW.minus(Duration.ofDays(8))), new Kept("pg-c", NOW.minus(Duration.ofDays(7))));
        assertThat(RetentionDecider.expired(old, new Retention(1, Duration.ofDays(1)), "pg-c", Set.of("pg-a"), NOW))
                .containsExactly(new Expired("pg-b", "beyond the last 1 backups"));
    }

    @Test
    void retention_that_keeps_nothing_is_refused() {
        assertThat(new Retention(0, null).problem()).contains("retention keepLast 0 would keep nothing: at least 1");
        assertThat(new Retention(null, Duration.ZERO).problem()).isPresent();
        assertThat(new Retention(null, null).problem()).contains("retention needs keepLast, maxAge or both");
        assertThat(new Retention(7, Duration.ofDays(30)).problem()).isEmpty();
    }
}
