package io.pgwarden.watcher;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The BMCs' basic-auth credentials from a Secret ({@code username}, {@code password}), named by
 * {@code pgwarden.watcher.redfish.credentials-secret} as {@code namespace/name}. Read again now and then on the
 * poller's thread ({@link #refresh}); a read that fails keeps the last good one, so an API outage does not cut the
 * BMC off. {@link #get} never calls the API.
 */
final class RedfishCredentials implements Supplier<Optional<String>> {
    private static final Logger LOG = Logger.getLogger(RedfishCredentials.class);
    private static final Duration READ_AGAIN_AFTER = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Clock clock;
    private volatile Optional<String> authorization = Optional.empty();
    private volatile Instant readAt;

    RedfishCredentials(KubernetesClient client, String secret, Clock clock) {
        int slash = secret.indexOf('/');
        if (slash <= 0 || slash == secret.length() - 1) {
            throw new IllegalArgumentException("pgwarden.watcher.redfish.credentials-secret must be namespace/name, was "
                    + secret);
        }
        this.client = client;
        this.namespace = secret.substring(0, slash);
        this.name = secret.substring(slash + 1);
        this.clock = clock;
    }

    @Override
    public Optional<String> get() {
        return authorization;
    }

    /** Reads the Secret if the last read is a minute old (or there was none). Blocking: call off the hot paths. */
    void refresh() {
        Instant now = clock.instant();
        if (readAt != null && now.isBefore(readAt.plus(READ_AGAIN_AFTER))) {
            return;
        }
        readAt = now;
        try {
            Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
            Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
            if (!data.containsKey("username") || !data.containsKey("password")) {
                LOG.warnf("Secret %s/%s has no username and password: BMCs are read without credentials", namespace,
                        name);
                authorization = Optional.empty();
                return;
            }
            String user = decode(data.get("username"));
            String password = decode(data.get("password"));
            authorization = Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        } catch (KubernetesClientException | IllegalArgumentException e) {
            LOG.warnf("cannot read the BMC credentials from Secret %s/%s (keeping the last ones): %s", namespace, name,
                    e.getMessage());
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
