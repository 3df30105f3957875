package io.pgwarden.database;

/**
 * A Service's DNS name as a pod resolves it ({@code <service>.<namespace>.svc}, completed by the search domains of
 * the pod's resolv.conf), so no cluster domain has to be configured.
 */
public class ClusterDnsAddresses implements ServiceAddresses {

    @Override
    public Address of(String namespace, String service, int port) {
        return new Address(service + "." + namespace + ".svc", port);
    }

    @Override
    public Address ofPod(String namespace, String pod, String podIp, int port) {
        if (podIp == null) {
            throw new IllegalStateException("pod " + namespace + "/" + pod + " has no IP yet");
        }
        return new Address(podIp, port);
    }
}
