package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * csi-addons NetworkFence (csiaddons.openshift.io/v1alpha1, cluster-scoped), as the csi-addons controller and Ceph
 * CSI carry it out (csi-addons {@code api/csiaddons/v1alpha1/networkfence_types.go}, {@code
 * internal/controller/csiaddons/networkfence_controller.go}; ceph-csi {@code internal/csi-addons/rbd/network_fence.go},
 * {@code internal/csi-addons/networkfence/fencing.go}). A spec the controller or the driver rejects is reported as
 * {@code result: Failed} with the reason. A valid one takes {@code networkFenceLatency} to carry out; then its CIDRs
 * are added to the Ceph blocklist (Fenced) or removed from it (Unfenced) and it reports {@code result: Succeeded}.
 * Deleting a fence changes nothing on the storage side, as upstream. A node whose storage client address is
 * covered by the blocklist is fenced: its volume I/O fails. The fenced address is that client address, which is
 * not the node's InternalIP when the node reaches Ceph over a network of its own.
 */
public final class NetworkFences {
    private static final String API = "csiaddons.openshift.io/v1alpha1";
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration latency;
    private final CephBlocklist blocklist;
    private final Timeline timeline;
    /** What each fence asks for (state and CIDRs) and since when; carried out once the latency has passed. */
    private final Map<String, Request> requests = new HashMap<>();
    private final Map<String, String> carriedOut = new HashMap<>();

    private record Request(String wanted, Instant since) {
    }

    public NetworkFences(KubernetesClient client, Clock clock, Duration latency, CephBlocklist blocklist,
                         Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.latency = latency;
        this.blocklist = blocklist;
        this.timeline = timeline;
    }

    public void reconcile(Collection<Kubelet> kubelets) {
        Instant now = clock.instant();
        List<GenericKubernetesResource> fences = client.genericKubernetesResources(API, "NetworkFence").list().getItems();
        for (GenericKubernetesResource fence : fences) {
            String name = fence.getMetadata().getName();
            Map<?, ?> spec = spec(fence);
            Optional<String> rejected = rejection(spec);
            if (rejected.isPresent()) {
                requests.remove(name);
                report(fence, "Failed", rejected.get());
                continue;
            }
            String wanted = state(spec) + " " + cidrs(spec);
            String success = "Fenced".equals(state(spec)) ? "fencing operation successful"
                    : "unfencing operation successful";
            if (wanted.equals(carriedOut.get(name))) {
                report(fence, "Succeeded", success);
                continue;
            }
            Request request = requests.get(name);
            if (request == null || !request.wanted().equals(wanted)) {
                requests.put(name, new Request(wanted, now));
            } else if (isDue(request.since(), now, latency)) {
                carryOut(name, spec);
                carriedOut.put(name, wanted);
                requests.remove(name);
                report(fence, "Succeeded", success);
            }
        }
        requests.keySet().retainAll(fences.stream().map(f -> f.getMetadata().getName()).toList());
        for (Kubelet kubelet : kubelets) {
            kubelet.fence(blocklist.covers(kubelet.storageAddress()));
        }
    }

    /** Whether a request made at {@code since} has been carried out by {@code now}. */
    static boolean isDue(Instant since, Instant now, Duration latency) {
        return !now.isBefore(since.plus(latency));
    }

    private void carryOut(String name, Map<?, ?> spec) {
        boolean fence = "Fenced".equals(state(spec));
        for (String cidr : cidrs(spec)) {
            if (fence) {
                blocklist.add(cidr);
            } else {
                blocklist.remove(cidr);
            }
        }
        timeline.record("networkfence", name, (fence ? "Fenced " : "Unfenced ") + cidrs(spec));
    }

    private void report(GenericKubernetesResource fence, String result, String message) {
        Object status = fence.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> m && result.equals(m.get("result")) && message.equals(m.get("message"))) {
            return;
        }
        client.genericKubernetesResources(API, "NetworkFence").withName(fence.getMetadata().getName())
                .editStatus(f -> {
                    f.getAdditionalProperties().put("status", Map.of("result", result, "message", message));
                    return f;
                });
    }

    /**
     * Why the csi-addons controller or Ceph CSI refuses a spec, in their words, or empty when it is carried out. A
     * real API server rejects some of these already at admission (the CRD's enum and CEL rules); the sandbox has no
     * CRD validation, so they are reported in the status like the controller's own checks.
     */
    static Optional<String> rejection(Map<?, ?> spec) {
        if (notEmpty(spec.get("networkFenceClassName"))) {
            return Optional.of("the sandbox does not serve NetworkFenceClass: give driver, secret and parameters");
        }
        if (!notEmpty(spec.get("driver"))) {
            return invalid("required parameter driver is not specified");
        }
        if (!(spec.get("cidrs") instanceof List<?> cidrs) || cidrs.isEmpty()) {
            return invalid("required parameter cidrs is not specified");
        }
        if (!(spec.get("secret") instanceof Map<?, ?> secret) || !notEmpty(secret.get("name"))
                || !notEmpty(secret.get("namespace"))) {
            return Optional.of("secret must be present when networkFenceClassName is not specified");
        }
        Object state = spec.get("fenceState");
        if (state != null && !"Fenced".equals(state) && !"Unfenced".equals(state)) {
            return Optional.of("spec.fenceState: Unsupported value: \"" + state
                    + "\": supported values: \"Fenced\", \"Unfenced\"");
        }
        if (!StorageNames.CSI_DRIVER.equals(spec.get("driver"))) {
            return Optional.of("failed to get networkfenceclient using driver \"" + spec.get("driver") + "\"");
        }
        if (!(spec.get("parameters") instanceof Map<?, ?> parameters) || !notEmpty(parameters.get("clusterID"))) {
            return Optional.of("rpc error: code = InvalidArgument desc = missing or empty clusterID");
        }
        for (Object cidr : cidrs) {
            if (!isCidr(String.valueOf(cidr))) {
                return Optional.of("rpc error: code = Internal desc = failed to fence CIDR block \"" + cidr
                        + "\": invalid CIDR address");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> invalid(String why) {
        return Optional.of("Failed to validate Networkfence parameters: " + why);
    }

    private static boolean notEmpty(Object value) {
        return value instanceof String s && !s.isEmpty();
    }

    private static String state(Map<?, ?> spec) {
        return spec.get("fenceState") == null ? "Fenced" : String.valueOf(spec.get("fenceState")); // CRD default
    }

    private static Map<?, ?> spec(GenericKubernetesResource r) {
        return r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
    }

    private static List<String> cidrs(Map<?, ?> spec) {
        return spec.get("cidrs") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    /** An IPv4 address with an optional prefix length. */
    static boolean isCidr(String cidr) {
        return cidr.matches("(\\d{1,3}\\.){3}\\d{1,3}(/\\d{1,2})?")
                && java.util.Arrays.stream(cidr.split("[./]")).limit(4).allMatch(o -> Integer.parseInt(o) <= 255)
                && (!cidr.contains("/") || Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)) <= 32);
    }

    /** IPv4 CIDR membership. */
    static boolean contains(String cidr, String ip) {
        String[] parts = cidr.split("/");
        int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
        long mask = bits == 0 ? 0 : 0xFFFFFFFFL << (32 - bits) & 0xFFFFFFFFL;
        return (toLong(parts[0]) & mask) == (toLong(ip) & mask);
    }

    private static long toLong(String ip) {
        long value = 0;
        for (String octet : ip.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }
}
