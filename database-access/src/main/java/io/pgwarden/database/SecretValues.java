package io.pgwarden.database;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The decoded values of a Secret, read when they are needed so that a rotated credential is used at once. */
public final class SecretValues {

    private SecretValues() {
    }

    /** The Secret's keys and values; empty when there is no such Secret. */
    public static Optional<Map<String, String>> read(KubernetesClient client, String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v),
                    StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData()); // only ever seen on objects not read back from an API server
        }
        return Optional.of(values);
    }
}
