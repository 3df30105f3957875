package io.pgwarden.local;

import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterTimeSettingsTest {

    @Test
    void aFastSandboxScalesTheSettingsThatCountInClusterTime() {
        assertThat(ClusterTimeSettings.environment(SandboxConfig.fast(), Map.of()))
                .containsEntry("PGWARDEN_WATCHER_SNAPSHOT_INTERVAL", "PT2.4S")
                .containsEntry("PGWARDEN_WATCHER_LIVENESS_CHECK_INTERVAL", "PT0.04S")
                .containsEntry("PGWARDEN_WATCHER_POWER_POLL_INTERVAL", "PT0.2S")
                .containsEntry("PGWARDEN_WATCHER_API_CHECK_INTERVAL", "PT0.08S");
    }

    @Test
    void aFastSandboxGetsALeaseThresholdOfOneAndAHalfRenewIntervalsOfItsKubelets() {
        SandboxConfig fast = SandboxConfig.fast();
        assertThat(Duration.parse(ClusterTimeSettings.environment(fast, Map.of())
                .get("PGWARDEN_WATCHER_LEASE_STALE_AFTER")))
                .isEqualTo(fast.heartbeatInterval().multipliedBy(3).dividedBy(2));
    }

    @Test
    void aRealTimeValueTheLauncherIsGivenIsScaledToo() {
        assertThat(ClusterTimeSettings.environment(SandboxConfig.fast(), Map.of(
                "PGWARDEN_WATCHER_LEASE_STALE_AFTER", "10s", "PGWARDEN_WATCHER_POWER_POLL_INTERVAL", "PT1S")))
                .containsEntry("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "PT0.4S")
                .containsEntry("PGWARDEN_WATCHER_POWER_POLL_INTERVAL", "PT0.04S");
        assertThat(ClusterTimeSettings.parse("x", "1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ClusterTimeSettings.parse("x", "15")).isEqualTo(Duration.ofSeconds(15));
        assertThatThrownBy(() -> ClusterTimeSettings.parse("X", "soon")).hasMessageContaining("X=soon");
    }

    @Test
    void aRealSandboxLeavesTheServicesDefaults() {
        assertThat(ClusterTimeSettings.environment(SandboxConfig.defaults(), Map.of())).isEmpty();
    }

    @Test
    void settingsGivenToTheStackReachTheServicesAsTheyAreInRealTimeAndScaledInAFastSandbox() {
        Map<String, String> tuned = Map.of("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "12s",
                "PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_MAX", "30");
        Map<String, String> launcher = Map.of("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "20s");
        assertThat(LocalStack.settingsEnvironment(SandboxConfig.defaults(), launcher, tuned))
                .containsEntry("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "12s")
                .containsEntry("PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_MAX", "30");
        assertThat(LocalStack.settingsEnvironment(SandboxConfig.fast(), launcher, tuned))
                .containsEntry("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "PT0.48S")
                .containsEntry("PGWARDEN_FAILOVER_INCIDENT_FENCE_RATE_MAX", "30");
        assertThat(LocalStack.settingsEnvironment(SandboxConfig.fast(), launcher, Map.of()))
                .containsEntry("PGWARDEN_WATCHER_LEASE_STALE_AFTER", "PT0.8S");
    }
}
