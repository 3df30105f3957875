package io.pgwarden.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.watcher.health.ManagedPod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The sandbox's pod IPs are names in a simulated network: its fault API tells where a pod's IP answers locally
 * ({@code GET /pods/{namespace}/{name}}: {@code {"reachable":true,"host":"127.0.0.1","port":N}}), or that packets to
 * it are lost ({@code "reachable":false}: its node is powered off, or partitioned from the side node-watcher is on).
 */
final class SandboxPodAddresses implements PodAddresses {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final String sandboxUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    SandboxPodAddresses(String sandboxUrl) {
        this.sandboxUrl = sandboxUrl.replaceAll("/+$", "");
    }

    @Override
    public CompletionStage<Optional<InetSocketAddress>> of(ManagedPod pod) {
        URI uri = URI.create(sandboxUrl + "/pods/" + encode(pod.namespace()) + "/" + encode(pod.name()));
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString()).<Optional<InetSocketAddress>>thenApply(answer -> {
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("the sandbox knows no address of pod " + pod.pod() + " (" + uri
                        + " answered " + answer.statusCode() + ": " + answer.body() + ")");
            }
            JsonNode where = read(answer.body());
            return where.path("reachable").asBoolean(false)
                    ? Optional.of(new InetSocketAddress(where.path("host").asText(), where.path("port").asInt()))
                    : Optional.empty();
        });
    }

    private static JsonNode read(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
