package io.pgwarden.local;

import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterTimeSettingsTest {

    @Test
    void aFastSandboxScalesTheSettingsThatCountInClusterTime() {
        assertThat(ClusterTimeSettings.environment(SandboxConfig.fast()))
                .containsEntry("PGWARDEN_WATCHER_SNAPSHOT_INTERVAL", "PT2.4S");
    }

    @Test
    void aRealSandboxLeavesTheServicesDefaults() {
        assertThat(ClusterTimeSettings.environment(SandboxConfig.defaults())).isEmpty();
    }
}
