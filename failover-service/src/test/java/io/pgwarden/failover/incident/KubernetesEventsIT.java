package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events land where kubectl describe looks for them; one that cannot be written costs the caller nothing. */
class KubernetesEventsIT {

    @Test
    void an_event_about_a_node_is_found_by_its_involved_object() throws Exception {
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.fast()
                .withDataDir(Files.createTempDirectory("kubernetes-events-it")))) {
            KubernetesClient client = sandbox.client();
            String uid = client.nodes().withName("node002").get().getMetadata().getUid();
            KubernetesEvents events = new KubernetesEvents(client, Clock.systemUTC());

            events.record(KubernetesEvents.InvolvedObject.node("node002", uid), "NodeFenced",
                    "BMC reports PowerState Off", KubernetesEvents.Type.WARNING);

            // kubectl describe node lists Events by these fields.
            await().atMost(Duration.ofSeconds(10)).until(() -> !forNode(client, uid).isEmpty());
            Event event = forNode(client, uid).get(0);
            assertThat(event.getReason()).isEqualTo("NodeFenced");
            assertThat(event.getMessage()).isEqualTo("BMC reports PowerState Off");
            assertThat(event.getType()).isEqualTo("Warning");
            assertThat(event.getReportingComponent()).isEqualTo("pgwarden-failover-service");
        }
    }

    @Test
    void an_unreachable_api_server_costs_the_caller_nothing() {
        try (KubernetesClient nowhere = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestTimeout(500).build()).build()) {
            KubernetesEvents events = new KubernetesEvents(nowhere, Clock.systemUTC());
            long start = System.nanoTime();

            events.record(KubernetesEvents.InvolvedObject.node("node002", "uid"), "NodeFenced", "m",
                    KubernetesEvents.Type.NORMAL);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
        }
    }

    private static List<Event> forNode(KubernetesClient client, String uid) {
        return client.v1().events().inNamespace("default").withField("involvedObject.kind", "Node")
                .withField("involvedObject.name", "node002").withField("involvedObject.uid", uid).list().getItems();
    }
}
