package io.pgwarden.sandbox.kubelet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a packet to a pod IP ends up. */
class PodNetworkTest {
    private final PodNetwork network = new PodNetwork();

    @Test
    void aPoweredOffNodeAnswersNothingUntilItIsBackOn() {
        String ip = network.allocate("n1", 5432);
        assertThat(network.localPort(ip)).contains(5432);
        assertThat(network.node(ip)).contains("n1");

        network.hostDown("n1");
        assertThat(network.localPort(ip)).isEmpty();
        assertThat(network.isDown("n1")).isTrue();
        assertThat(network.isDown("n2")).isFalse();

        network.hostUp("n1");
        assertThat(network.localPort(ip)).contains(5432);
    }

    @Test
    void aReleasedIpLeadsNowhere() {
        String ip = network.allocate("n1", 5432);
        network.release(ip);
        assertThat(network.localPort(ip)).isEmpty();
        assertThat(network.localPort("10.244.9.9")).isEmpty();
        assertThat(network.allocate("n1", 5433)).as("a new pod gets a new IP").isNotEqualTo(ip);
    }
}
