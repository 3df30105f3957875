package io.pgwarden.local;

import io.pgwarden.sandbox.StorageNames;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * failover-service's settings for the sandbox cluster: the databases' Services at the local ports the sandbox
 * publishes (there is no cluster DNS), and a fence driver, without which it would never release a pod. The sandbox's
 * nodes have Redfish BMCs (no credentials asked), so {@code redfish} for every node; a node labelled
 * {@code pgwarden.io/fence-driver=network-fence} is fenced through the sandbox's Ceph CSI instead.
 */
final class SandboxFailoverSettings {

    private SandboxFailoverSettings() {
    }

    static Map<String, String> environment(String sandboxUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGWARDEN_FAILOVER_DATABASE_ADDRESS", "sandbox");
        env.put("PGWARDEN_FAILOVER_SANDBOX_URL", sandboxUrl);
        env.put("PGWARDEN_FAILOVER_FENCE_DRIVER", "redfish");
        env.put("PGWARDEN_FAILOVER_NETWORK_FENCE_DRIVER", StorageNames.CSI_DRIVER);
        env.put("PGWARDEN_FAILOVER_NETWORK_FENCE_SECRET_NAME", "rook-csi-rbd-provisioner");
        env.put("PGWARDEN_FAILOVER_NETWORK_FENCE_SECRET_NAMESPACE", "rook-ceph");
        env.put("PGWARDEN_FAILOVER_NETWORK_FENCE_CLUSTER_ID", StorageNames.CLUSTER_ID);
        return env;
    }
}
