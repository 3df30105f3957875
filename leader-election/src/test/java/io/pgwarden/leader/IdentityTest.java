package io.pgwarden.leader;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdentityTest {

    @Test
    void host_name_and_a_random_suffix() {
        assertThat(Identity.of("node-watcher-7d9f8-abcde", 0x2a)).isEqualTo("node-watcher-7d9f8-abcde_0000002a");
        assertThat(Identity.of("Host.Example", -1)).isEqualTo("host.example_ffffffff");
    }

    @Test
    void an_unknown_host_still_gets_an_identity() {
        assertThat(Identity.of(null, 1)).isEqualTo("pgwarden_00000001");
        assertThat(Identity.of("  ", 1)).isEqualTo("pgwarden_00000001");
    }

    @Test
    void two_replicas_on_one_host_differ() {
        assertThat(Identity.generate()).isNotEqualTo(Identity.generate()).contains("_");
    }
}
