package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.local.LocalStack;
import io.pgwarden.local.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The launcher supervises the services as a kubelet would: failover-service killed with SIGKILL is started again,
 * becomes ready, says so in the launcher's log, and carries out commands again.
 */
@ExtendWith(SystemExtension.class)
class ServicesAreSupervisedE2E {
    private static final String SERVICE = "failover-service";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void failover_service_killed_with_sigkill_comes_back_ready_and_takes_commands(RunningSystem system)
            throws Exception {
        LocalStack stack = system.stack();
        ServiceProcess killed = stack.services().get(SERVICE);
        int restartsBefore = stack.restarts(SERVICE);
        Path launcherLog = killed.log().resolveSibling(LocalStack.LAUNCHER_LOG);

        Process kill = new ProcessBuilder("kill", "-KILL", String.valueOf(killed.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();

        // At once on a first restart; up to the 5 min back-off cap if other scenarios killed it before.
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500)).until(() -> {
            ServiceProcess now = stack.services().get(SERVICE);
            return now.pid() != killed.pid() && ready(now);
        });
        assertThat(stack.restarts(SERVICE)).isEqualTo(restartsBefore + 1);
        assertThat(Files.readString(launcherLog))
                .contains(SERVICE + " exited with code 137 (signal 9): restart " + (restartsBefore + 1))
                .contains(SERVICE + " started again (restart " + (restartsBefore + 1) + ", pid "
                        + stack.services().get(SERVICE).pid());

        assertThat(finalState(system, system.post("/api/v1/nodes/node001/cordon", "{\"reason\":\"e2e\"}")))
                .isEqualTo("SUCCEEDED");
        assertThat(finalState(system, system.post("/api/v1/nodes/node001/uncordon", "{}"))).isEqualTo("SUCCEEDED");
    }

    private static boolean ready(ServiceProcess process) throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(process.url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        try {
            return HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private static String finalState(RunningSystem system, HttpResponse<String> submitted) {
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String location = submitted.headers().firstValue("Location").orElseThrow();
        String path = location.substring(location.indexOf("/api/"));
        String[] state = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            state[0] = state(system.get(path).body());
            return state[0].matches("SUCCEEDED|FAILED|REJECTED");
        });
        return state[0];
    }

    private static String state(String body) throws IOException {
        JsonNode json = Json.MAPPER.readTree(body);
        return json.path("state").asText("");
    }
}
