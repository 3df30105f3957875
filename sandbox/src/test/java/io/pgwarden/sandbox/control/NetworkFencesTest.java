package io.pgwarden.sandbox.control;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkFencesTest {
    @Test
    void cidrMembership() {
        assertThat(NetworkFences.contains("192.168.10.2/32", "192.168.10.2")).isTrue();
        assertThat(NetworkFences.contains("192.168.10.2/32", "192.168.10.3")).isFalse();
        assertThat(NetworkFences.contains("192.168.10.0/24", "192.168.10.200")).isTrue();
        assertThat(NetworkFences.contains("0.0.0.0/0", "10.1.2.3")).isTrue();
    }
}
