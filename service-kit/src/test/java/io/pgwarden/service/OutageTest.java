package io.pgwarden.service;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class OutageTest {
    private final Outage outage = new Outage("waiting for the database", "going on", Logger.getLogger(OutageTest.class),
            Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void a_wait_keeps_its_first_time_and_its_last_error_until_it_ends() {
        assertThat(outage.isWaiting()).isFalse();
        assertThat(outage.details("x")).isEmpty();

        outage.waiting(new SQLException("connection refused"));
        outage.waiting(new SQLException("timeout"));
        assertThat(outage.isWaiting()).isTrue();
        assertThat(outage.details("intake")).get().satisfies(d -> {
            assertThat(d).containsEntry("intakeWaitingSince", "2026-11-26T10:00:00Z");
            assertThat(d).containsEntry("intakeError", "SQLException: timeout");
        });

        outage.recovered();
        assertThat(outage.isWaiting()).isFalse();
        assertThat(outage.details("intake")).isEmpty();
    }
}
