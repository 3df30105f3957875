package io.pgwarden.failover.decide;

import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.failover.decide.UnfenceDecider.Lift;
import io.pgwarden.failover.decide.UnfenceDecider.RemoveOutOfServiceTaint;
import io.pgwarden.failover.decide.UnfenceDecider.Seen;
import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class UnfenceDeciderTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final Duration HEALTHY_FOR = Duration.ofSeconds(30);
    static final FenceStatus FENCED = FenceStatus.of(FenceStatus.State.FENCED, "fenced");
    static final FenceStatus LIFTED = FenceStatus.of(FenceStatus.State.NOT_FENCED, "lifted");

    static Operation op(String phase) {
        return new Operation("u1", 1, "UnfenceNode", "node001", null, "c", null, phase, Map.of(),
                CommandState.RUNNING, null, null, 0, NOW, null, null, null, 1, NOW, NOW);
    }

    static Seen seen(Optional<Instant> readySince, boolean taint, FenceStatus fence, boolean lifted, String power,
                     List<String> released) {
        return new Seen(true, readySince, taint, Optional.of("network-fence"), fence, lifted,
                Optional.ofNullable(power), released);
    }

    static Decision<UnfenceDecider.Action> decide(String phase, Seen seen, boolean powerOn) {
        return UnfenceDecider.decide(op(phase), "node001", powerOn, seen, HEALTHY_FOR, NOW);
    }

    @Test
    void a_powered_off_node_is_powered_on_only_when_asked() {
        Seen off = seen(Optional.empty(), true, FENCED, false, "Off", List.of());
        assertThat(decide(Operation.START, off, false).next()).isEqualTo(Decision.Next.FAIL);
        Decision<UnfenceDecider.Action> on = decide(Operation.START, off, true);
        assertThat(on.actions()).containsExactly(new Lift("node001", "network-fence", true));
    }

    @Test
    void nothing_is_lifted_before_the_node_has_been_ready_for_a_while() {
        Seen justReady = seen(Optional.of(NOW.minusSeconds(5)), true, FENCED, false, "On", List.of());
        Decision<UnfenceDecider.Action> d = decide(UnfenceDecider.POWERING_ON, justReady, true);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void nothing_is_lifted_while_a_released_pod_object_is_left() {
        Seen old = seen(Optional.of(NOW.minusSeconds(60)), true, FENCED, false, "On", List.of("default/pg-0"));
        Decision<UnfenceDecider.Action> d = decide(Operation.START, old, false);
        assertThat(d.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(d.step()).contains("default/pg-0");
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void the_storage_fence_is_lifted_before_the_taint_goes_then_it_is_done() {
        Seen healthy = seen(Optional.of(NOW.minusSeconds(60)), true, FENCED, false, "On", List.of());
        assertThat(decide(Operation.START, healthy, false).actions())
                .containsExactly(new Lift("node001", "network-fence", false));
        Decision<UnfenceDecider.Action> lifting = decide(UnfenceDecider.LIFTING, healthy, false);
        assertThat(lifting.next()).isEqualTo(Decision.Next.WAIT);
        assertThat(lifting.actions()).containsExactly(new Lift("node001", "network-fence", false));

        Seen lifted = seen(Optional.of(NOW.minusSeconds(60)), true, LIFTED, true, "On", List.of());
        assertThat(decide(UnfenceDecider.LIFTING, lifted, false).actions())
                .containsExactly(new RemoveOutOfServiceTaint("node001"));
        Seen untainted = seen(Optional.of(NOW.minusSeconds(60)), false, LIFTED, true, "On", List.of());
        Decision<UnfenceDecider.Action> done = decide(UnfenceDecider.UNTAINTING, untainted, false);
        assertThat(done.next()).isEqualTo(Decision.Next.SUCCEED);
        assertThat(done.outcome()).isEqualTo("unfenced node node001");
    }

    @Test
    void a_node_pgwarden_never_fenced_is_said_so() {
        Seen clean = seen(Optional.of(NOW.minusSeconds(60)), false, LIFTED, true, "On", List.of());
        assertThat(decide(Operation.START, clean, false).outcome()).isEqualTo("node node001 is not fenced");
    }
}
