package io.pgwarden.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The API outage fault: a client other than the sandbox's control plane loses its watch and every request until the
 * outage ends, while the kubelets go on renewing their leases; "everyone" stops the renewals too, and they resume
 * within one heartbeat of its end. Each node carries its BMC's Redfish address, as an administrator would set it.
 */
class ApiOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pgwardensClientsAreCutOffWhileKubeletsKeepRenewing() throws Exception {
        try (Sandbox sandbox = PlainPods.start(SandboxConfig.fast());
             KubernetesClient outside = outsideClient(sandbox)) {
            // A watch as client-go streams it, from a client that is not the sandbox's control plane.
            HttpResponse<Stream<String>> watch = http.send(HttpRequest.newBuilder(URI.create(sandbox.apiServerUrl()
                    + "/apis/coordination.k8s.io/v1/namespaces/" + Names.NODE_LEASE_NAMESPACE + "/leases?watch=true"))
                    .GET().build(), HttpResponse.BodyHandlers.ofLines());
            CompletableFuture<Long> watchEnded = CompletableFuture.supplyAsync(() -> {
                try (Stream<String> events = watch.body()) {
                    return events.count();
                } catch (UncheckedIOException e) {
                    return -1L;
                }
            });
            assertThat(outside.nodes().list().getItems()).hasSize(3);
            assertThat(watchEnded).isNotDone();

            HttpResponse<String> started = send("POST", sandbox.httpApiUrl() + "/api-server/outage",
                    "{\"seconds\":30}");
            assertThat(started.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(started.body()).path("down").asBoolean()).isTrue();
            Instant cut = Instant.now();

            watchEnded.get(10, TimeUnit.SECONDS); // the watch was dropped
            assertThatThrownBy(() -> outside.nodes().list()).isInstanceOf(KubernetesClientException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> renewTime(sandbox, "node001").isAfter(cut));

            JsonNode state = JSON.readTree(send("GET", sandbox.httpApiUrl() + "/api-server/outage", null).body());
            assertThat(state.path("down").asBoolean()).isTrue();
            assertThat(state.path("everyone").asBoolean()).isFalse();

            send("DELETE", sandbox.httpApiUrl() + "/api-server/outage", null);
            assertThat(outside.nodes().list().getItems()).hasSize(3);
        }
    }

    /** A request the API server handles as an outage ends: sent inside it, judged after it. */
    private static final Duration IN_FLIGHT = Duration.ofMillis(100);

    @Test
    void downForEveryoneStopsTheRenewalsUntilItEnds() throws Exception {
        try (Sandbox sandbox = PlainPods.start(SandboxConfig.fast())) {
            Duration outage = Duration.ofSeconds(2);
            Instant earliestEnd = Instant.now().plus(outage);
            sandbox.faults().apiOutage(outage, true);
            Instant end = Instant.now().plus(outage);
            assertThatThrownBy(() -> sandbox.client().nodes().list()).isInstanceOf(KubernetesClientException.class);

            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(end)
                    && sandbox.faults().apiOutage().isEmpty());
            // A renewal may land between the outage's end and this read; none may be stamped inside the outage but
            // for one in flight as it ended: the kubelet stamps before it sends, and the API server judges the request
            // when it handles it (a renewal stamped 7 ms before the end was accepted on two loaded cores).
            Lease lease = sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName("node002").get();
            Instant renewed = lease.getSpec().getRenewTime().toInstant();
            assertThat(renewed.isBefore(end.minus(outage).plus(SandboxConfig.fast().heartbeatInterval()))
                    || !renewed.isBefore(earliestEnd.minus(IN_FLIGHT))).as("no renewal while the API server was down:"
                    + " renewed at " + renewed + ", outage from before " + end.minus(outage) + " until at least "
                    + earliestEnd).isTrue();
            await().atMost(SandboxConfig.fast().heartbeatInterval().multipliedBy(3))
                    .until(() -> renewTime(sandbox, "node002").isAfter(end));
        }
    }

    @Test
    void eachNodeCarriesItsBmcAddress() throws Exception {
        try (Sandbox sandbox = PlainPods.start(SandboxConfig.fast())) {
            String bmc = sandbox.client().nodes().withName("node003").get().getMetadata().getAnnotations()
                    .get(Names.BMC_ADDRESS_ANNOTATION);
            assertThat(bmc).isEqualTo(sandbox.httpApiUrl() + "/redfish/v1/Systems/node003");
            assertThat(JSON.readTree(send("GET", bmc, null).body()).path("PowerState").asText()).isEqualTo("On");
        }
    }

    private static KubernetesClient outsideClient(Sandbox sandbox) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(sandbox.apiServerUrl()).withRequestRetryBackoffLimit(0).withRequestTimeout(5_000)
                .build()).build();
    }

    private static Instant renewTime(Sandbox sandbox, String node) {
        return sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(node).get().getSpec()
                .getRenewTime().toInstant();
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
