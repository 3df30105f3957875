package io.pgwarden.failover.fence;

import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FenceDriversTest {
    private static final FenceDriver REDFISH = new Named("redfish");
    private static final FenceDriver NETWORK_FENCE = new Named("network-fence");

    @Test
    void the_node_label_wins_over_the_configured_driver() {
        FenceDrivers drivers = new FenceDrivers(List.of(REDFISH, NETWORK_FENCE), Optional.of("redfish"));

        FenceDrivers.Choice labelled = drivers.forNode(node(Map.of(Names.FENCE_DRIVER_LABEL, "network-fence")));
        FenceDrivers.Choice plain = drivers.forNode(node(Map.of()));

        assertThat(labelled.driver()).contains(NETWORK_FENCE);
        assertThat(labelled.reason()).isEqualTo("network-fence, from the node label pgwarden.io/fence-driver of node002");
        assertThat(plain.driver()).contains(REDFISH);
        assertThat(plain.reason()).isEqualTo("redfish, from pgwarden.failover.fence.driver");
        assertThat(drivers.problem()).isEmpty();
        assertThat(drivers.configured()).contains("redfish");
    }

    @Test
    void without_a_configured_driver_nothing_is_fenced_and_the_health_says_why() {
        FenceDrivers drivers = new FenceDrivers(List.of(REDFISH, NETWORK_FENCE), Optional.of(" "));

        FenceDrivers.Choice choice = drivers.forNode(node(Map.of()));

        assertThat(choice.driver()).isEmpty();
        assertThat(choice.reason()).isEqualTo("no fence driver configured (pgwarden.failover.fence.driver or the "
                + "node label pgwarden.io/fence-driver): pgwarden never releases a pod without a confirmed fence");
        assertThat(drivers.problem()).contains(choice.reason());
        assertThat(drivers.forNode(node(Map.of(Names.FENCE_DRIVER_LABEL, "redfish"))).driver()).contains(REDFISH);
    }

    @Test
    void unknown_names_are_reported_and_none_is_not_a_driver() {
        FenceDrivers drivers = new FenceDrivers(List.of(REDFISH, NETWORK_FENCE), Optional.of("none"));

        FenceDrivers.Choice choice = drivers.forNode(node(Map.of()));
        FenceDrivers.Choice typo = drivers.forNode(node(Map.of(Names.FENCE_DRIVER_LABEL, "redfsh")));

        assertThat(choice.driver()).isEmpty();
        assertThat(choice.reason()).isEqualTo("unknown fence driver \"none\" in pgwarden.failover.fence.driver "
                + "(known: network-fence, redfish); there is no \"none\": pgwarden never releases a pod without a "
                + "confirmed fence");
        assertThat(drivers.problem()).contains(choice.reason());
        assertThat(drivers.configured()).isEmpty();
        assertThat(typo.driver()).isEmpty();
        assertThat(typo.reason()).startsWith("unknown fence driver \"redfsh\" in the node label");
    }

    private static FenceTarget node(Map<String, String> labels) {
        return new FenceTarget("node002", labels, Map.of(), List.of("192.168.10.3"));
    }

    private record Named(String name) implements FenceDriver {
        @Override
        public Optional<String> misconfiguration(FenceTarget target) {
            return Optional.empty();
        }

        @Override
        public void fence(FenceTarget target) {
        }

        @Override
        public FenceStatus status(FenceTarget target) {
            return FenceStatus.of(FenceStatus.State.NOT_FENCED, "");
        }

        @Override
        public void unfence(FenceTarget target, boolean powerOn) {
        }
    }
}
