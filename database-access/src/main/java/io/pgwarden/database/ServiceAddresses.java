package io.pgwarden.database;

/**
 * Where this service reaches a Service's port: through cluster DNS in a cluster ({@link ClusterDnsAddresses}), or
 * at the local port the sandbox publishes for the Service ({@link SandboxAddresses}).
 */
public interface ServiceAddresses {

    record Address(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * @param port the Service's port (a Service port, not a pod's)
     * @throws Exception when the address cannot be known, with why
     */
    Address of(String namespace, String service, int port) throws Exception;

    /**
     * A pod's own address (a drill's throw-away PostgreSQL, which no Service selects).
     *
     * @param port the container's port
     * @throws Exception when the pod cannot be reached, with why
     */
    Address ofPod(String namespace, String pod, String podIp, int port) throws Exception;
}
