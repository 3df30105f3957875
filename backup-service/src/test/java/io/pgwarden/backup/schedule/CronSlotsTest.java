package io.pgwarden.backup.schedule;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronSlotsTest {

    @Test
    void a_unix_cron_names_minutes_in_utc_unless_a_zone_is_given() {
        CronSlots nightly = CronSlots.parse("0 3 * * *", null);
        assertThat(nightly.latestAtOrBefore(Instant.parse("2026-11-27T02:59:59Z")))
                .contains(Instant.parse("2026-11-26T03:00:00Z"));
        assertThat(nightly.latestAtOrBefore(Instant.parse("2026-11-27T03:00:00Z")))
                .contains(Instant.parse("2026-11-27T03:00:00Z"));
        assertThat(nightly.nextAfter(Instant.parse("2026-11-27T03:00:00Z")))
                .contains(Instant.parse("2026-11-28T03:00:00Z"));

        CronSlots berlin = CronSlots.parse("0 3 * * *", "Europe/Berlin");
        assertThat(berlin.latestAtOrBefore(Instant.parse("2026-11-27T02:30:00Z")))
                .contains(Instant.parse("2026-11-27T02:00:00Z"));
    }

    @Test
    void a_quartz_cron_has_seconds() {
        CronSlots everyTen = CronSlots.parse("0/10 * * * * ?", "UTC");
        assertThat(everyTen.latestAtOrBefore(Instant.parse("2026-11-27T10:00:19.900Z")))
                .contains(Instant.parse("2026-11-27T10:00:10Z"));
        assertThat(everyTen.latestAtOrBefore(Instant.parse("2026-11-27T10:00:20Z")))
                .contains(Instant.parse("2026-11-27T10:00:20Z"));
    }

    @Test
    void bad_expressions_and_zones_say_what_is_wrong() {
        assertThatThrownBy(() -> CronSlots.parse("every night", null)).hasMessageContaining("2 fields; five (Unix");
        assertThatThrownBy(() -> CronSlots.parse("61 * * * *", null))
                .hasMessageStartingWith("invalid cron expression '61 * * * *': ");
        assertThatThrownBy(() -> CronSlots.parse(" ", null)).hasMessage("a cron expression is required");
        assertThatThrownBy(() -> CronSlots.parse("0 3 * * *", "Mars/Olympus"))
                .hasMessageContaining("unknown time zone 'Mars/Olympus'");
    }
}
