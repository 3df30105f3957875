package io.pgwarden.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxFailoverSettingsTest {

    @Test
    void failoverServiceReachesTheSandboxsServicesAndFencesThroughItsBmcs() {
        assertThat(SandboxFailoverSettings.environment("http://127.0.0.1:8090"))
                .containsEntry("PGWARDEN_FAILOVER_DATABASE_ADDRESS", "sandbox")
                .containsEntry("PGWARDEN_FAILOVER_SANDBOX_URL", "http://127.0.0.1:8090")
                .containsEntry("PGWARDEN_FAILOVER_FENCE_DRIVER", "redfish");
    }
}
