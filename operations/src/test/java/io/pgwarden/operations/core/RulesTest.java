package io.pgwarden.operations.core;

import io.pgwarden.contracts.MessageMetadata;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static io.pgwarden.operations.core.Operations.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Back-off, expiry and the database lock, each with a fixed clock. */
class RulesTest {

    @Test
    void backoff_doubles_from_its_first_wait_up_to_its_cap() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(b.after(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.after(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.after(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.after(4)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.after(1000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a_command_expires_at_its_own_time_or_after_the_default_age() {
        MessageMetadata own = new MessageMetadata("c1", "/t", "io.pgwarden.CordonNode", T0, "node001", "c1")
                .expiringAt(T0.plusSeconds(60));
        assertThat(Expiry.expired(own, Duration.ofHours(1), T0.plusSeconds(60))).isEmpty();
        assertThat(Expiry.expired(own, Duration.ofHours(1), T0.plusSeconds(61))).get().asString()
                .isEqualTo("expired: sent at 2026-11-26T10:00:00Z, expired at 2026-11-26T10:01:00Z,"
                        + " seen at 2026-11-26T10:01:01Z");

        MessageMetadata none = new MessageMetadata("c2", "/t", "io.pgwarden.CordonNode", T0, "node001", "c2");
        assertThat(Expiry.expired(none, Duration.ofHours(1), T0.plusSeconds(3600))).isEmpty();
        assertThat(Expiry.expired(none, Duration.ofHours(1), T0.plusSeconds(3601))).get().asString()
                .contains("(default age limit PT1H)");
    }

    @Test
    void a_free_lease_is_taken_and_ones_own_renewed() {
        assertThat(LockRules.judge(Optional.empty(), "op1", T0, Optional.empty())).isEqualTo(LockRules.Verdict.TAKE);
        assertThat(LockRules.judge(Optional.of(lease("", T0)), "op1", T0, Optional.empty()))
                .isEqualTo(LockRules.Verdict.TAKE);
        assertThat(LockRules.judge(Optional.of(lease("op1", T0)), "op1", T0, Optional.empty()))
                .isEqualTo(LockRules.Verdict.RENEW);
    }

    @Test
    void another_operations_lease_is_busy_even_when_expired_unless_its_operation_is_known_finished() {
        DatabaseLease live = lease("op0", T0);
        assertThat(LockRules.judge(Optional.of(live), "op1", T0.plusSeconds(10), Optional.empty()))
                .isEqualTo(LockRules.Verdict.BUSY);
        assertThat(LockRules.judge(Optional.of(live), "op1", T0.plusSeconds(3600), Optional.empty()))
                .isEqualTo(LockRules.Verdict.BUSY);
        assertThat(LockRules.judge(Optional.of(live), "op1", T0.plusSeconds(3600), Optional.of(false)))
                .isEqualTo(LockRules.Verdict.BUSY);
        assertThat(LockRules.judge(Optional.of(live), "op1", T0.plusSeconds(10), Optional.of(true)))
                .isEqualTo(LockRules.Verdict.TAKE_OVER);
        assertThat(live.isExpired(T0.plusSeconds(30))).isFalse();
        assertThat(live.isExpired(T0.plusSeconds(31))).isTrue();
    }

    private static DatabaseLease lease(String holder, Instant renewed) {
        return new DatabaseLease(holder, "TakeBackup", "backup-service", renewed, renewed, Duration.ofSeconds(30), "7");
    }
}
