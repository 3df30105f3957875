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
}
