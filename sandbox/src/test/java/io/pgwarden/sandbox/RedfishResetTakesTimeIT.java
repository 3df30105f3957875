package io.pgwarden.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgwarden.sandbox.kubelet.Kubelet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A BMC answers a ComputerSystem.Reset before it acts: PowerState stays "On" until a ForceOff took effect, an On
 * reports "PoweringOn" first, and the kubelet is back only after the machine booted.
 */
class RedfishResetTakesTimeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void resetIsAnsweredFirstAndCarriedOutLater(@TempDir Path dir) throws Exception {
        SandboxConfig config = SandboxConfig.fast().withDataDir(dir);
        try (Sandbox sandbox = Sandbox.start(config)) {
            String system = sandbox.httpApiUrl() + "/redfish/v1/Systems/node002";
            Kubelet node = sandbox.faults().node("node002").orElseThrow();
            assertThat(powerState(system)).isEqualTo("On");

            assertThat(reset(system, "ForceOff").statusCode()).isEqualTo(204);
            assertThat(powerState(system)).as("answered before the power is cut").isEqualTo("On");
            assertThat(node.isPowered()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> "Off".equals(powerState(system)));
            assertThat(node.isPowered()).isFalse();

            long on = System.nanoTime();
            assertThat(reset(system, "On").statusCode()).isEqualTo(204);
            assertThat(powerState(system)).isEqualTo("PoweringOn");
            await().atMost(Duration.ofSeconds(5)).until(() -> "On".equals(powerState(system)));
            // The machine has power and boots: no kubelet yet, for minutes of real time.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !node.isPowered());
            await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(readiness(sandbox)));
            assertThat(Duration.ofNanos(System.nanoTime() - on)).isGreaterThanOrEqualTo(
                    config.scaled(config.timings().bmcPowerChangeTime().plus(config.timings().bootTime())));
        }
    }

    private static String readiness(Sandbox sandbox) {
        return io.pgwarden.sandbox.control.ClusterView.ready(sandbox.client().nodes().withName("node002").get())
                .map(c -> c.getStatus()).orElse("");
    }

    private String powerState(String system) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(system)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("PowerState").asText();
    }

    private HttpResponse<String> reset(String system, String type) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(system + "/Actions/ComputerSystem.Reset"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"ResetType\":\"" + type + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
