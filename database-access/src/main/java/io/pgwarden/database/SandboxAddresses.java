package io.pgwarden.database;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The sandbox cluster has no cluster DNS: its kube-proxy publishes each Service on a port of 127.0.0.1, which its
 * fault API tells ({@code GET /services/{namespace}/{name}}: {@code {"port":N}}).
 */
public class SandboxAddresses implements ServiceAddresses {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final String sandboxUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    public SandboxAddresses(String sandboxUrl) {
        this.sandboxUrl = sandboxUrl.replaceAll("/+$", "");
    }

    @Override
    public Address of(String namespace, String service, int port) throws IOException, InterruptedException {
        URI uri = URI.create(sandboxUrl + "/services/" + encode(namespace) + "/" + encode(service));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("the sandbox publishes no Service " + namespace + "/" + service + " (" + uri
                    + " answered " + answer.statusCode() + ": " + answer.body() + ")");
        }
        return new Address("127.0.0.1", JSON.readTree(answer.body()).path("port").asInt());
    }

    /** The sandbox's pod IPs are names; its fault API tells where the pod's process answers ({@code GET /pods/..}). */
    @Override
    public Address ofPod(String namespace, String pod, String podIp, int port) throws IOException, InterruptedException {
        URI uri = URI.create(sandboxUrl + "/pods/" + encode(namespace) + "/" + encode(pod));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        var where = answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
        if (where == null || !where.path("port").isInt()) {
            throw new IOException("the sandbox gives no reachable address for pod " + namespace + "/" + pod + " ("
                    + uri + " answered " + answer.statusCode() + ": " + answer.body() + ")");
        }
        return new Address(where.path("host").asText("127.0.0.1"), where.path("port").asInt());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
