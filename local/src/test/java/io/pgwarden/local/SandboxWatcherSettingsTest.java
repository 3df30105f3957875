package io.pgwarden.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxWatcherSettingsTest {

    @Test
    void nodeWatcherProbesDatabasePortsWhereTheSandboxSaysPodsAnswer() {
        assertThat(SandboxWatcherSettings.environment("http://127.0.0.1:8090"))
                .containsEntry("PGWARDEN_WATCHER_DATABASE_ADDRESS", "sandbox")
                .containsEntry("PGWARDEN_WATCHER_SANDBOX_URL", "http://127.0.0.1:8090");
    }
}
