package io.pgwarden.gateway;

import io.pgwarden.contracts.command.BackupMethod;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UncordonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestHashTest {

    @Test
    void canonical_json_sorts_fields_and_drops_nulls() {
        assertThat(RequestHash.canonicalJson(new TakeBackup("default", "pg", BackupMethod.ONLINE, null, null, null, null)))
                .isEqualTo("{\"cluster\":\"pg\",\"method\":\"online\",\"namespace\":\"default\"}");
    }

    @Test
    void the_same_command_has_the_same_hash() {
        assertThat(RequestHash.of(new CordonNode("node001", "kernel upgrade")))
                .isEqualTo(RequestHash.of(new CordonNode("node001", "kernel upgrade")))
                .hasSize(64);
    }

    @Test
    void another_field_value_node_or_kind_is_another_hash() {
        String cordon = RequestHash.of(new CordonNode("node001", "kernel upgrade"));
        assertThat(RequestHash.of(new CordonNode("node001", "other"))).isNotEqualTo(cordon);
        assertThat(RequestHash.of(new CordonNode("node002", "kernel upgrade"))).isNotEqualTo(cordon);
        assertThat(RequestHash.of(new CordonNode("node001", null))).isNotEqualTo(cordon);
        // Same fields, another endpoint: the type is part of the hash.
        assertThat(RequestHash.of(new UncordonNode("node001", "kernel upgrade"))).isNotEqualTo(cordon);
    }
}
