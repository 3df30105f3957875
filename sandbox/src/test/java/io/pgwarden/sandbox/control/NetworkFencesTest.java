package io.pgwarden.sandbox.control;

import io.pgwarden.sandbox.StorageNames;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkFencesTest {
    @Test
    void cidrMembership() {
        assertThat(NetworkFences.contains("192.168.10.2/32", "192.168.10.2")).isTrue();
        assertThat(NetworkFences.contains("192.168.10.2/32", "192.168.10.3")).isFalse();
        assertThat(NetworkFences.contains("192.168.10.0/24", "192.168.10.200")).isTrue();
        assertThat(NetworkFences.contains("0.0.0.0/0", "10.1.2.3")).isTrue();
    }

    @Test
    void aCompleteSpecIsCarriedOut() {
        assertThat(NetworkFences.rejection(valid())).isEmpty();
        Map<String, Object> unfence = valid();
        unfence.put("fenceState", "Unfenced");
        assertThat(NetworkFences.rejection(unfence)).isEmpty();
    }

    @Test
    void eachMissingOrWrongFieldIsRejectedWithTheUpstreamReason() {
        assertThat(rejection("driver", null)).contains("required parameter driver is not specified");
        assertThat(rejection("cidrs", List.of())).contains("required parameter cidrs is not specified");
        assertThat(rejection("secret", null)).contains("secret must be present");
        assertThat(rejection("secret", Map.of("name", "rook-csi-rbd-provisioner"))).contains("secret must be present");
        assertThat(rejection("parameters", Map.of())).contains("missing or empty clusterID");
        assertThat(rejection("cidrs", List.of("192.168.10.300/32"))).contains("invalid CIDR");
        assertThat(rejection("cidrs", List.of("node001"))).contains("invalid CIDR");
        assertThat(rejection("fenceState", "Off")).contains("Unsupported value");
        assertThat(rejection("driver", "other.csi.example.com")).contains("other.csi.example.com");
    }

    @Test
    void aRequestIsCarriedOutOnlyOnceItsLatencyHasPassed() {
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        Duration latency = Duration.ofSeconds(5);
        assertThat(NetworkFences.isDue(since, since, latency)).isFalse();
        assertThat(NetworkFences.isDue(since, since.plusMillis(4_999), latency)).isFalse();
        assertThat(NetworkFences.isDue(since, since.plusSeconds(5), latency)).isTrue();
    }

    private static String rejection(String field, Object value) {
        Map<String, Object> spec = valid();
        if (value == null) {
            spec.remove(field);
        } else {
            spec.put(field, value);
        }
        return NetworkFences.rejection(spec).orElseThrow(() -> new AssertionError(field + " was accepted"));
    }

    private static Map<String, Object> valid() {
        Map<String, Object> spec = new HashMap<>();
        spec.put("driver", StorageNames.CSI_DRIVER);
        spec.put("fenceState", "Fenced");
        spec.put("cidrs", List.of("192.168.10.2/32"));
        spec.put("secret", Map.of("name", "rook-csi-rbd-provisioner", "namespace", "rook-ceph"));
        spec.put("parameters", Map.of("clusterID", "rook-ceph"));
        return spec;
    }
}
