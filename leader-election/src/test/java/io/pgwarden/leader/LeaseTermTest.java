package io.pgwarden.leader;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseTermTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);

    private final LeaseTerm term = new LeaseTerm(RENEW_DEADLINE);

    @Test
    void a_replica_that_never_wrote_the_lease_does_not_lead() {
        assertThat(term.leading(T0)).isFalse();
        assertThat(term.expiry()).isEmpty();
    }

    @Test
    void leads_from_a_renewal_until_the_renew_deadline_and_each_renewal_extends_it() {
        term.renewed(T0);
        assertThat(term.leading(T0)).isTrue();
        assertThat(term.leading(T0.plus(RENEW_DEADLINE).minusMillis(1))).isTrue();
        assertThat(term.leading(T0.plus(RENEW_DEADLINE))).as("renewals failed for the whole deadline").isFalse();

        term.renewed(T0.plusSeconds(2));
        assertThat(term.leading(T0.plusSeconds(11))).isTrue();
        assertThat(term.expiry()).contains(T0.plusSeconds(12));
    }

    @Test
    void a_late_report_of_an_older_renewal_does_not_extend_the_term() {
        term.renewed(T0.plusSeconds(4));
        term.renewed(T0);
        assertThat(term.expiry()).contains(T0.plusSeconds(14));
    }

    @Test
    void losing_or_releasing_the_lease_ends_the_term_at_once() {
        term.renewed(T0);
        term.ended();
        assertThat(term.leading(T0.plusMillis(1))).isFalse();
        term.renewed(T0.plusSeconds(3));
        assertThat(term.leading(T0.plusSeconds(3))).as("acquired again").isTrue();
    }

    @Test
    void after_close_a_renewal_still_in_flight_does_not_make_it_lead_again() {
        term.renewed(T0);
        term.close();
        term.renewed(T0.plusSeconds(1));
        assertThat(term.leading(T0.plusSeconds(1))).isFalse();
    }

    @Test
    void the_defaults_leave_five_seconds_between_the_leader_stopping_and_a_standby_starting() {
        Duration leaseDuration = Duration.ofSeconds(15);
        term.renewed(T0);
        Instant standbyMayAcquire = T0.plus(leaseDuration);
        Instant leaderStops = term.expiry().orElseThrow();
        assertThat(Duration.between(leaderStops, standbyMayAcquire)).isEqualTo(Duration.ofSeconds(5));
    }
}
