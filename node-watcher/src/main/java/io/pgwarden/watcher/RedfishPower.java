package io.pgwarden.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.watcher.health.PowerPolls;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A node's BMC through Redfish: {@code GET} of its ComputerSystem and its {@code PowerState} (DMTF Redfish
 * ComputerSystem schema: On, Off, PoweringOn, PoweringOff, Paused), as fence_redfish reads it (ClusterLabs
 * fence-agents {@code agents/redfish/fence_redfish.py}, get_power_status). Any failure (no answer within the timeout,
 * a refusal, an error status, no PowerState) is "unknown", never "Off".
 */
final class RedfishPower implements PowerPolls.Port {
    private static final Logger LOG = Logger.getLogger(RedfishPower.class);

    private final HttpClient http;
    private final Duration timeout;
    private final Supplier<Optional<String>> authorization;

    /** @param authorization the {@code Authorization} header to send, if credentials are configured */
    RedfishPower(Duration timeout, Supplier<Optional<String>> authorization) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.authorization = authorization;
    }

    @Override
    public CompletionStage<Optional<String>> powerState(String systemUrl) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(systemUrl)).timeout(timeout)
                    .header("Accept", "application/json").GET();
        } catch (IllegalArgumentException e) {
            LOG.warnf("the BMC address %s is not a URL: %s", systemUrl, e.getMessage());
            return CompletableFuture.completedFuture(Optional.empty());
        }
        authorization.get().ifPresent(value -> request.header("Authorization", value));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((response, failure) -> {
            if (failure != null) {
                LOG.debugf("BMC %s did not answer: %s", systemUrl, failure.toString());
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                LOG.debugf("BMC %s answered %d", systemUrl, response.statusCode());
                return Optional.empty();
            }
            return powerState(response.body());
        });
    }

    static Optional<String> powerState(byte[] system) {
        try {
            JsonNode state = Json.MAPPER.readTree(system).path("PowerState");
            return state.isTextual() && !state.asText().isBlank() ? Optional.of(state.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
