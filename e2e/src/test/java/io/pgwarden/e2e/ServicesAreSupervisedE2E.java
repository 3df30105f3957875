package io.pgwarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.local.LocalStack;
import io.pgwarden.local.ServiceProcess;
import io.pgwarden.testing.NodeEdits;
import io.pgwarden.testing.TopicTail;
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
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The launcher supervises the services as a kubelet would: failover-service killed with SIGKILL is started again,
 * becomes ready, says so in the launcher's log, and carries out commands again; api-gateway killed so comes back
 * with the views it had, and with the status that arrived while it was down.
 */
@ExtendWith(SystemExtension.class)
class ServicesAreSupervisedE2E {
    private static final String FAILOVER = "failover-service";
    private static final String GATEWAY = "api-gateway";
    /** A node of this scenario's own: the sandbox's three are cordoned, moved to and powered off by the others. */
    private static final String NODE = "node-restart";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** At once on a first restart; up to the 5 min back-off cap if other scenarios killed the service before. */
    private static final Duration RESTART = Duration.ofMinutes(6);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void failover_service_killed_with_sigkill_comes_back_ready_and_takes_commands(RunningSystem system)
            throws Exception {
        LocalStack stack = system.stack();
        ServiceProcess killed = stack.services().get(FAILOVER);
        int restartsBefore = stack.restarts(FAILOVER);
        Path launcherLog = killed.log().resolveSibling(LocalStack.LAUNCHER_LOG);

        kill(killed);

        awaitRestarted(stack, killed);
        assertThat(stack.restarts(FAILOVER)).isEqualTo(restartsBefore + 1);
        assertThat(Files.readString(launcherLog))
                .contains(FAILOVER + " exited with code 137 (signal 9): restart " + (restartsBefore + 1))
                .contains(FAILOVER + " started again (restart " + (restartsBefore + 1) + ", pid "
                        + stack.services().get(FAILOVER).pid());

        assertThat(finalState(system, system.post("/api/v1/nodes/node001/cordon", "{\"reason\":\"e2e\"}")))
                .isEqualTo("SUCCEEDED");
        assertThat(finalState(system, system.post("/api/v1/nodes/node001/uncordon", "{}"))).isEqualTo("SUCCEEDED");
    }

    /**
     * The gateway's views live in its memory (nodes, from the node-health topic; the databases and incidents, copied
     * from failover-service; the backups, copied from backup-service) and in its database (the commands, fed by the status topic through a consumer group):
     * after a SIGKILL they are what they were, plus the uncordon's SUCCEEDED that came while it was down.
     */
    @Test
    void api_gateway_killed_with_sigkill_comes_back_with_the_same_views_and_the_status_it_missed(
            RunningSystem system) throws Exception {
        LocalStack stack = system.stack();
        KubernetesClient client = stack.sandbox().client();
        stack.sandbox().faults().addNode(NODE);
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(system).getOrDefault(NODE, "").startsWith("READY"));
            JsonNode cordon = CordonThroughTheGatewayE2E.finished(system,
                    system.post("/api/v1/nodes/" + NODE + "/cordon", "{\"reason\":\"e2e gateway restart\"}"));
            assertThat(cordon.get("state").asText()).as(cordon.toString()).isEqualTo("SUCCEEDED");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodes(system).get(NODE).equals(node("READY", true, false)));
            Views before = Views.read(system, 100);
            assertThat(before.commandsOfNode()).containsExactly(Map.entry(cordon.get("id").asText(), "SUCCEEDED"));

            ServiceProcess gateway = stack.services().get(GATEWAY);
            String uncordon;
            CommandStatusChanged done;
            try (TopicTail commands = new TopicTail(stack.kafkaBootstrapServers(), Topics.COMMANDS);
                 TopicTail statuses = new TopicTail(stack.kafkaBootstrapServers(), Topics.COMMAND_STATUS)) {
                // failover-service's patch of the node is answered late, so the gateway is gone before the status.
                stack.sandbox().apiRequests().answerSlowly("PATCH", "/api/v1/nodes/" + NODE, Duration.ofMillis(1500), 1);
                HttpResponse<String> submitted = system.post("/api/v1/nodes/" + NODE + "/uncordon", "{}");
                assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
                uncordon = Json.MAPPER.readTree(submitted.body()).get("id").asText();
                commands.await(TopicTail.withId(uncordon), WAIT); // the gateway's outbox has sent it: kill it now
                kill(gateway);

                done = statuses.awaitFinal(uncordon, WAIT);
                assertThat(client.nodes().withName(NODE).get().getSpec().getUnschedulable()).isNotEqualTo(true);
                assertThat(restartedAndReady(stack, gateway))
                        .as("the gateway was back before the uncordon's status: nothing was missed").isFalse();
            }
            assertThat(done.state().name()).isEqualTo("SUCCEEDED");

            awaitRestarted(stack, gateway);
            Views expected = before.with(NODE, node("READY", false, false), uncordon, "SUCCEEDED");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Views after = Views.read(system, 500); // the 100 of before, and newer ones
                assertThat(after.nodes()).as("nodes").isEqualTo(expected.nodes());
                assertThat(after.clusters()).as("databases").isEqualTo(expected.clusters());
                assertThat(after.incidents()).as("incidents").isEqualTo(expected.incidents());
                assertThat(after.backups()).as("backups").isEqualTo(expected.backups());
                assertThat(after.commandsOfNode()).as("commands about " + NODE
                        + ": with the status that came while the gateway was down, and no new one")
                        .isEqualTo(expected.commandsOfNode());
                assertThat(after.commands()).as("commands").containsAllEntriesOf(expected.commands());
            });
        } finally {
            if (Boolean.TRUE.equals(client.nodes().withName(NODE).get().getSpec().getUnschedulable())) {
                NodeEdits.cordon(client, NODE, false);
            }
            // The others expect the sandbox's three nodes, e.g. no fourth to move to while they cordon two.
            stack.sandbox().faults().removeNode(NODE);
        }
    }

    /**
     * What the gateway shows, in the fields that mean something (no times, no lease ages): each map by name or id.
     *
     * @param nodes          node → Ready, cordoned, fenced
     * @param clusters       namespace/name → its node and phase
     * @param incidents      id → node and state
     * @param backups        each database's newest backups, id → phase
     * @param commandsOfNode the commands about {@link #NODE}, id → state
     * @param commands       the newest commands, id → state
     */
    private record Views(Map<String, String> nodes, Map<String, String> clusters, Map<String, String> incidents,
                         Map<String, String> backups, Map<String, String> commandsOfNode,
                         Map<String, String> commands) {

        static Views read(RunningSystem system, int newestCommands) throws IOException {
            JsonNode clusters = get(system, "/api/v1/clusters").get("clusters");
            Map<String, String> backups = new TreeMap<>();
            for (JsonNode c : clusters) {
                backups.putAll(byKey(get(system, "/api/v1/clusters/" + c.get("namespace").asText() + "/"
                        + c.get("name").asText() + "/backups?limit=500").get("items"), b -> b.get("id").asText(),
                        b -> b.get("phase").asText()));
            }
            return new Views(ServicesAreSupervisedE2E.nodes(system),
                    byKey(clusters, c -> c.get("namespace").asText() + "/" + c.get("name").asText(),
                            c -> c.path("node").asText() + " " + c.get("phase").asText()),
                    byKey(get(system, "/api/v1/incidents?limit=500").get("items"), i -> i.get("id").asText(),
                            i -> i.get("node").asText() + " " + i.get("state").asText()),
                    backups,
                    ServicesAreSupervisedE2E.commands(system, "/api/v1/commands?node=" + NODE),
                    ServicesAreSupervisedE2E.commands(system, "/api/v1/commands?limit=" + newestCommands));
        }

        /** These views with one node changed and one command added. */
        Views with(String node, String itsState, String command, String commandState) {
            Map<String, String> nodes = new TreeMap<>(nodes());
            nodes.put(node, itsState);
            Map<String, String> ofNode = new TreeMap<>(commandsOfNode());
            ofNode.put(command, commandState);
            Map<String, String> all = new TreeMap<>(commands());
            all.put(command, commandState);
            return new Views(nodes, clusters, incidents, backups, ofNode, all);
        }
    }

    private static Map<String, String> nodes(RunningSystem system) throws IOException {
        JsonNode answer = get(system, "/api/v1/nodes");
        assertThat(answer.get("complete").asBoolean()).as("the gateway read the whole node-health topic").isTrue();
        return byKey(answer.get("nodes"), n -> n.get("name").asText(),
                n -> node(n.get("ready").asText(), n.get("cordoned").asBoolean(), n.get("fenced").asBoolean()));
    }

    private static String node(String ready, boolean cordoned, boolean fenced) {
        return ready + (cordoned ? " cordoned" : "") + (fenced ? " fenced" : "");
    }

    private static Map<String, String> commands(RunningSystem system, String path) throws IOException {
        return byKey(get(system, path).get("items"), c -> c.get("id").asText(), c -> c.get("state").asText());
    }

    private static JsonNode get(RunningSystem system, String path) throws IOException {
        HttpResponse<String> response = system.get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static Map<String, String> byKey(JsonNode items, Function<JsonNode, String> key,
                                             Function<JsonNode, String> value) {
        Map<String, String> map = new HashMap<>();
        items.forEach(item -> map.put(key.apply(item), value.apply(item)));
        return new TreeMap<>(map);
    }

    private static void kill(ServiceProcess process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-KILL", String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
    }

    private static void awaitRestarted(LocalStack stack, ServiceProcess killed) {
        await().atMost(RESTART).pollInterval(Duration.ofMillis(500)).until(() -> restartedAndReady(stack, killed));
    }

    /** Whether the process that replaced killed answers ready. */
    private static boolean restartedAndReady(LocalStack stack, ServiceProcess killed) throws InterruptedException {
        ServiceProcess now = stack.services().get(killed.name());
        return now.pid() != killed.pid() && ready(now);
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
