package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** A sandbox without the demo database and a pod without volumes (a sleeping container): node scenarios, cheaply. */
final class PlainPods {
    static final String NS = "default";

    private PlainPods() {
    }

    static Sandbox start(SandboxConfig config) {
        try {
            return Sandbox.start(config.withDataDir(Files.createTempDirectory("sandbox-it")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a pod and waits until it runs Ready; returns it (its node is the scheduler's choice). */
    static Pod runReady(KubernetesClient client, String name) {
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("sleep").withImage("busybox:1.36").endContainer().endSpec()
                .build()).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> DemoCluster.isReady(get(client, name)));
        return get(client, name);
    }

    static Pod get(KubernetesClient client, String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    static boolean hasTaint(KubernetesClient client, String node, String key, String effect) {
        var n = client.nodes().withName(node).get();
        return n != null && n.getSpec().getTaints() != null && n.getSpec().getTaints().stream()
                .anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
    }
}
