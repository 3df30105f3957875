package io.pgwarden.failover.fence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.database.SecretValues;
import io.pgwarden.contracts.Names;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.inject.Singleton;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fences a node by cutting its power through its BMC, as ClusterLabs fence-agents' {@code agents/redfish/fence_redfish.py}
 * does with the DMTF Redfish ComputerSystem resource: read the system ({@code GET}, its {@code PowerState} and the
 * target of its {@code #ComputerSystem.Reset} action), {@code POST {"ResetType":"ForceOff"}} to that target, then
 * poll {@code PowerState} until it is {@code Off}. A BMC answers the reset before it acts (204 or a Task), so only
 * {@code Off} confirms the fence. The node's annotation {@code pgwarden.io/bmc-address} is its Redfish system URL.
 */
@Singleton
public class RedfishFenceDriver implements FenceDriver {
    public static final String NAME = "redfish";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigMapping(prefix = "pgwarden.failover.redfish")
    public interface Settings {
        /**
         * The Secret ({@code namespace/name}, keys {@code username} and {@code password}) whose credentials are sent
         * to every BMC as HTTP basic authentication; unset, none are sent (the sandbox's BMCs ask for none).
         */
        Optional<String> credentialsSecret();

        /**
         * Accept any certificate and host name from a BMC. BMCs often come with self-signed certificates; trusting
         * their CA in the JVM's trust store keeps verification on and is the better fix.
         */
        @WithDefault("false")
        boolean insecureTls();

        /** Short, so a dead BMC costs a fence attempt seconds, not minutes. */
        @WithDefault("2s")
        Duration connectTimeout();

        @WithDefault("5s")
        Duration requestTimeout();
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final HttpClient http;
    /** Per node, the BMC's answer when it refused the last ForceOff, until a later one is accepted. */
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    public RedfishFenceDriver(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout());
        if (settings.insecureTls()) {
            builder.sslContext(trustingEveryone());
        }
        this.http = builder.build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> misconfiguration(FenceTarget target) {
        String bmc = target.annotations().get(Names.BMC_ADDRESS_ANNOTATION);
        if (bmc == null || bmc.isBlank()) {
            return Optional.of("node " + target.node() + " has no annotation " + Names.BMC_ADDRESS_ANNOTATION
                    + " (its BMC's Redfish system URL, e.g. https://10.0.0.21/redfish/v1/Systems/1)");
        }
        try {
            URI uri = URI.create(bmc.trim());
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                return Optional.of(notAUrl(target, bmc));
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(notAUrl(target, bmc));
        }
        try {
            credentials();
            return Optional.empty();
        } catch (IllegalStateException | KubernetesClientException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public void fence(FenceTarget target) throws IOException, InterruptedException {
        URI system = system(target);
        JsonNode state = read(system);
        if ("Off".equals(state.path("PowerState").asText(null))) {
            refusals.remove(target.node());
            return;
        }
        try {
            reset(system, state, "ForceOff");
            refusals.remove(target.node());
        } catch (BmcRefusal e) {
            refusals.put(target.node(), e.getMessage());
            throw e;
        }
    }

    @Override
    public FenceStatus status(FenceTarget target) throws IOException, InterruptedException {
        URI system = system(target);
        HttpResponse<String> answer = send(request(system).GET());
        if (answer.statusCode() / 100 != 2) {
            return FenceStatus.of(FenceStatus.State.FAILED, "BMC " + system + " answered "
                    + RedfishPower.errorMessage(answer.statusCode(), json(answer.body()), answer.body()));
        }
        return RedfishPower.status(json(answer.body()).path("PowerState").asText(null),
                Optional.ofNullable(refusals.get(target.node())));
    }

    /** Powers the node on only with {@code powerOn}: otherwise the machine stays off until someone turns it on. */
    /** Powered on (or powering on): the machine is no longer kept off. */
    @Override
    public boolean isLifted(FenceStatus status) {
        return status.state() != FenceStatus.State.FENCED && status.state() != FenceStatus.State.FAILED;
    }

    @Override
    public void unfence(FenceTarget target, boolean powerOn) throws IOException, InterruptedException {
        refusals.remove(target.node());
        if (!powerOn) {
            return;
        }
        URI system = system(target);
        JsonNode state = read(system);
        String power = state.path("PowerState").asText("");
        if (!power.equals("On") && !power.equals("PoweringOn")) {
            reset(system, state, "On");
        }
    }

    private JsonNode read(URI system) throws IOException, InterruptedException {
        HttpResponse<String> answer = send(request(system).GET());
        if (answer.statusCode() / 100 != 2) {
            throw new BmcRefusal("BMC " + system + " answered "
                    + RedfishPower.errorMessage(answer.statusCode(), json(answer.body()), answer.body()));
        }
        return json(answer.body());
    }

    /** Posts the reset to the target the system names for it (fence_redfish does the same), else the usual path. */
    private void reset(URI system, JsonNode state, String type) throws IOException, InterruptedException {
        String target = state.path("Actions").path("#ComputerSystem.Reset").path("target").asText(null);
        URI action = target == null ? URI.create(system + "/Actions/ComputerSystem.Reset") : system.resolve(target);
        HttpResponse<String> answer = send(request(action).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ResetType\":\"" + type + "\"}")));
        if (answer.statusCode() / 100 != 2) {
            throw new BmcRefusal("BMC " + system + " refused " + type + ": "
                    + RedfishPower.errorMessage(answer.statusCode(), json(answer.body()), answer.body()));
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
                .header("Accept", "application/json").header("OData-Version", "4.0");
        credentials().ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
        return request;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Credentials(String username, String password) {
    }

    private Optional<Credentials> credentials() {
        if (settings.credentialsSecret().isEmpty()) {
            return Optional.empty();
        }
        String ref = settings.credentialsSecret().get().trim();
        String[] parts = ref.split("/");
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalStateException("pgwarden.failover.redfish.credentials-secret must be namespace/name, was \""
                    + ref + "\"");
        }
        Map<String, String> values = SecretValues.read(client, parts[0], parts[1]).orElseThrow(() ->
                new IllegalStateException("the BMC credentials Secret " + ref + " does not exist"));
        if (values.get("username") == null || values.get("password") == null) {
            throw new IllegalStateException("the BMC credentials Secret " + ref + " needs keys username and password");
        }
        return Optional.of(new Credentials(values.get("username"), values.get("password")));
    }

    private static URI system(FenceTarget target) {
        String bmc = target.annotations().get(Names.BMC_ADDRESS_ANNOTATION);
        if (bmc == null || bmc.isBlank()) {
            throw new IllegalStateException("node " + target.node() + " has no annotation "
                    + Names.BMC_ADDRESS_ANNOTATION);
        }
        return URI.create(bmc.trim().replaceAll("/+$", ""));
    }

    private static String notAUrl(FenceTarget target, String bmc) {
        return "the annotation " + Names.BMC_ADDRESS_ANNOTATION + " of node " + target.node()
                + " is not an http(s) URL: \"" + bmc + "\"";
    }

    private static JsonNode json(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** An error answer from the BMC, in its words. */
    static final class BmcRefusal extends IOException {
        BmcRefusal(String message) {
            super(message);
        }
    }

    private static SSLContext trustingEveryone() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[]{new TrustEveryone()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An extended trust manager: the JDK then leaves host name checks to it, and it checks nothing. */
    private static final class TrustEveryone extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
