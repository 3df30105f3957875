package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.sandbox.api.ApiRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of failover-service run side by side (as during a rolling update): every command is acted
 * on exactly once, counted in the API server's log of writes.
 */
@ExtendWith(SystemExtension.class)
class TwoReplicasActOnceE2E {
    private static final int COMMANDS = 20;

    @Test
    void each_cordon_and_uncordon_patches_the_node_once_with_two_replicas_running(RunningSystem system) {
        // Other scenarios start replicas too (of backup-service) or kill them: a live failover-service one is needed.
        if (system.stack().replicas().stream().noneMatch(p -> p.name().equals("failover-service")
                && ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false))) {
            system.stack().startReplica("failover-service");
        }
        ApiRequests api = system.stack().sandbox().apiRequests();
        int writesBefore = api.writes().size();
        // Each patch's answer comes late, so every operation is still running when the other replica's
        // periodic resync (1 s) looks: only the claim keeps that replica from running it too.
        api.answerSlowly("PATCH", "/api/v1/nodes/node001", java.time.Duration.ofMillis(1500), COMMANDS);

        List<HttpResponse<String>> submitted = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++) {
            submitted.add(system.post("/api/v1/nodes/node001/" + (i % 2 == 0 ? "cordon" : "uncordon"), "{}"));
        }
        for (HttpResponse<String> response : submitted) {
            JsonNode done = CordonThroughTheGatewayE2E.finished(system, response);
            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.get("reason").asText()).as(done.toString()).matches("(un)?cordoned node node001");
        }

        List<ApiRequests.Write> writes = api.writes();
        long patches = writes.subList(writesBefore, writes.size()).stream()
                .filter(w -> w.method().equals("PATCH") && w.path().equals("/api/v1/nodes/node001"))
                // the node lifecycle controller mirrors each cordon as a NoSchedule taint: its patches are not ours
                .filter(w -> !w.byControlPlane()).count();
        assertThat(patches).isEqualTo(COMMANDS);
        assertThat(system.stack().sandbox().client().nodes().withName("node001").get().getSpec().getUnschedulable())
                .isNotEqualTo(true);
    }
}
