package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.kubelet.Kubelet;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * csi-addons NetworkFence (csiaddons.openshift.io/v1alpha1), as Ceph CSI honors it: the client addresses in the
 * fence's CIDRs are blocklisted on the storage cluster while fenceState is Fenced, so those nodes lose write access
 * to their volumes. The fence reports result Succeeded once applied.
 */
public final class NetworkFences {
    private static final String API = "csiaddons.openshift.io/v1alpha1";
    private final KubernetesClient client;

    public NetworkFences(KubernetesClient client) {
        this.client = client;
    }

    public void reconcile(Collection<Kubelet> kubelets) {
        List<GenericKubernetesResource> fences = client.genericKubernetesResources(API, "NetworkFence").list().getItems();
        for (Kubelet kubelet : kubelets) {
            boolean fenced = fences.stream().anyMatch(f -> "Fenced".equals(spec(f).get("fenceState"))
                    && cidrs(f).stream().anyMatch(c -> contains(c, kubelet.internalIp())));
            kubelet.fence(fenced);
        }
        for (GenericKubernetesResource fence : fences) {
            Object status = fence.getAdditionalProperties().get("status");
            String wanted = "Fenced".equals(spec(fence).get("fenceState")) ? "fencing operation successful"
                    : "unfencing operation successful";
            if (!(status instanceof Map<?, ?> m) || !wanted.equals(m.get("message"))) {
                client.genericKubernetesResources(API, "NetworkFence").withName(fence.getMetadata().getName())
                        .editStatus(f -> {
                            f.getAdditionalProperties().put("status", Map.of("result", "Succeeded", "message", wanted));
                            return f;
                        });
            }
        }
    }

    private static Map<?, ?> spec(GenericKubernetesResource r) {
        return r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
    }

    private static List<String> cidrs(GenericKubernetesResource r) {
        return spec(r).get("cidrs") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
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
