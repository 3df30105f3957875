package io.pgwarden.watcher.health;

/**
 * A managed pod bound to a node, with its database port as Kubernetes tells it: where node-watcher probes it while the
 * node's lease is stale.
 *
 * @param podIp the pod's {@code status.podIP}
 * @param port  the container port named {@code postgresql} or {@code postgres}, else 5432
 */
public record ManagedPod(String namespace, String name, String node, String podIp, int port) {

    /** {@code namespace/name}. */
    public String pod() {
        return namespace + "/" + name;
    }

    /** {@code ip:port}, an IPv6 address in brackets. */
    public String address() {
        return (podIp.contains(":") ? "[" + podIp + "]" : podIp) + ":" + port;
    }
}
