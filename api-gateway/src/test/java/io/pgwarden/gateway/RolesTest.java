package io.pgwarden.gateway;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RolesTest {

    @Test
    void a_role_brings_every_role_below_it() {
        assertThat(Roles.withImplied(Set.of("viewer"))).containsExactlyInAnyOrder("viewer");
        assertThat(Roles.withImplied(Set.of("operator"))).containsExactlyInAnyOrder("viewer", "operator");
        assertThat(Roles.withImplied(Set.of("admin"))).containsExactlyInAnyOrder("viewer", "operator", "admin");
    }

    @Test
    void other_groups_are_kept_and_bring_nothing() {
        assertThat(Roles.withImplied(Set.of("dba", "viewer"))).containsExactlyInAnyOrder("dba", "viewer");
        assertThat(Roles.withImplied(Set.of("dba"))).containsExactlyInAnyOrder("dba");
        assertThat(Roles.withImplied(Set.of())).isEmpty();
    }
}
