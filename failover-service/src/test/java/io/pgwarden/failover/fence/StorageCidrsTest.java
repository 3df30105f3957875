package io.pgwarden.failover.fence;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageCidrsTest {

    @Test
    void plain_addresses_become_single_address_blocks_and_cidrs_stay() {
        assertThat(StorageCidrs.parse(" 10.20.0.11, 10.20.1.0/24,fd00::11 ,, 10.20.0.11/32"))
                .containsExactly("10.20.0.11/32", "10.20.1.0/24", "fd00::11/128");
    }

    @Test
    void anything_but_an_address_is_refused_with_the_entry_named() {
        assertThatThrownBy(() -> StorageCidrs.parse("10.20.0.11, ceph-client.node002"))
                .hasMessage("\"ceph-client.node002\" is neither an IP address nor a CIDR");
        assertThatThrownBy(() -> StorageCidrs.parse("10.20.0.256")).hasMessageContaining("10.20.0.256");
        assertThatThrownBy(() -> StorageCidrs.parse("10.20.0.0/33")).hasMessageContaining("10.20.0.0/33");
        assertThatThrownBy(() -> StorageCidrs.parse("10.20.0.0/24/1")).hasMessageContaining("10.20.0.0/24/1");
        assertThatThrownBy(() -> StorageCidrs.parse("fd00::/129")).hasMessageContaining("fd00::/129");
    }

    @Test
    void an_empty_annotation_gives_no_cidr() {
        assertThat(StorageCidrs.parse(" , ")).isEmpty();
    }
}
