package io.pgwarden.sandbox.fault;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a BMC reports and does after it answered a ComputerSystem.Reset. */
class PowerSequenceTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration CHANGE = Duration.ofSeconds(5);
    private static final Duration BOOT = Duration.ofMinutes(3);

    private static PowerSequence reset(String type) {
        return new PowerSequence(type, T0, CHANGE, BOOT);
    }

    @Test
    void forceOffStaysOnUntilThePowerIsCut() {
        PowerSequence off = reset("ForceOff");
        assertThat(off.cutsPower()).isTrue();
        assertThat(off.powerState(T0)).isEqualTo("On");
        assertThat(off.powerState(T0.plusMillis(4999))).isEqualTo("On");
        assertThat(off.powerState(T0.plus(CHANGE))).isEqualTo("Off");
        assertThat(off.kubeletBackAt()).isEmpty();
        assertThat(off.isOver(T0.plusMillis(4999))).isFalse();
        assertThat(off.isOver(T0.plus(CHANGE))).isTrue();
    }

    @Test
    void onIsPoweringOnThenOnWhileTheMachineBootsForMinutes() {
        PowerSequence on = reset("On");
        assertThat(on.cutsPower()).isFalse();
        assertThat(on.powerState(T0)).isEqualTo("PoweringOn");
        assertThat(on.powerState(T0.plus(CHANGE))).isEqualTo("On");
        assertThat(on.kubeletBackAt()).contains(T0.plus(CHANGE).plus(BOOT));
        assertThat(on.isOver(T0.plus(CHANGE).plus(BOOT).minusMillis(1))).isFalse();
        assertThat(on.isOver(T0.plus(CHANGE).plus(BOOT))).isTrue();
    }

    @Test
    void forceRestartCutsThePowerAndBoots() {
        PowerSequence restart = reset("ForceRestart");
        assertThat(restart.cutsPower()).isTrue();
        assertThat(restart.powerState(T0)).isEqualTo("On");
        assertThat(restart.powerState(T0.plus(CHANGE).plusSeconds(1))).isEqualTo("On");
        assertThat(restart.kubeletBackAt()).contains(T0.plus(CHANGE).plus(BOOT));
    }

    @Test
    void otherResetTypesAreRefused() {
        assertThatThrownBy(() -> reset("GracefulShutdown")).isInstanceOf(IllegalArgumentException.class);
    }
}
