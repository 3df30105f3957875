package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.sandbox.api.ApiRequests;
import io.pgwarden.testing.TopicProbe;
import io.pgwarden.testing.TopicTail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * failover-service is killed (SIGKILL) while its cordon's patch is in flight: the API server applied it
 * but its answer is slow, so the dead process never learned the outcome. The restarted service resumes
 * the operation from its persisted phase, sees the node cordoned, and finishes it exactly once, with a
 * complete status sequence in order.
 */
@ExtendWith(SystemExtension.class)
class KilledMidOperationE2E {
    private static final Duration WAIT = Duration.ofSeconds(150);

    @Test
    void a_cordon_interrupted_by_a_kill_finishes_exactly_once_after_the_restart(RunningSystem system) throws Exception {
        ApiRequests api = system.stack().sandbox().apiRequests();
        int writesBefore = api.writes().size();
        api.answerSlowly("PATCH", "/api/v1/nodes/node002", Duration.ofSeconds(60), 1);
        try (TopicTail tail = new TopicTail(system.stack().kafkaBootstrapServers(), Topics.COMMAND_STATUS,
                Topics.ACTIVITY)) {
            HttpResponse<String> submitted = system.post("/api/v1/nodes/node002/cordon", "{\"reason\":\"kill test\"}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            String id = io.pgwarden.contracts.Json.MAPPER.readTree(submitted.body()).get("id").asText();

            await().atMost(WAIT).until(() -> patchesOfNode002(api, writesBefore) == 1);
            List<ServiceProcess> victims = new ArrayList<>(system.stack().replicas());
            victims.add(system.stack().services().get("failover-service"));
            long killed = system.stack().services().get("failover-service").pid();
            victims.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));

            CommandStatusChanged done = tail.awaitFinal(id, WAIT);
            assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
            assertThat(done.reason()).isEqualTo("cordoned node node002");
            assertThat(system.stack().services().get("failover-service").pid()).isNotEqualTo(killed);
            List<Long> sequences = tail.statusesOf(id).stream().map(CommandStatusChanged::sequence).toList();
            assertThat(sequences).isSorted();
            assertThat(sequences.stream().distinct().toList()).containsExactly(1L, 2L, 3L);
            assertThat(tail.statusesOf(id).stream().filter(s -> s.state().isFinal()).map(CommandStatusChanged::state)
                    .distinct().toList()).containsExactly(CommandState.SUCCEEDED);
            tail.await(TopicProbe.ofType(MessageType.ACTIVITY_RECORDED).and(TopicProbe.correlatedTo(id)), WAIT);
            assertThat(tail.matching(TopicProbe.ofType(MessageType.ACTIVITY_RECORDED).and(TopicProbe.correlatedTo(id))))
                    .hasSize(1).allSatisfy(r -> assertThat(TopicProbe.text(r)).contains("\"action\":\"NodeCordoned\""));
            assertThat(system.stack().sandbox().client().nodes().withName("node002").get().getSpec().getUnschedulable())
                    .isTrue();
        } finally {
            JsonNode uncordon = CordonThroughTheGatewayE2E.finished(system,
                    system.post("/api/v1/nodes/node002/uncordon", "{}"));
            assertThat(uncordon.get("state").asText()).isEqualTo("SUCCEEDED");
        }
    }

    private static long patchesOfNode002(ApiRequests api, int from) {
        List<ApiRequests.Write> writes = api.writes();
        return writes.subList(Math.min(from, writes.size()), writes.size()).stream()
                .filter(w -> w.method().equals("PATCH") && w.path().equals("/api/v1/nodes/node002"))
                .filter(w -> !w.byControlPlane()).count(); // not the NoSchedule taints mirroring a cordon
    }
}
