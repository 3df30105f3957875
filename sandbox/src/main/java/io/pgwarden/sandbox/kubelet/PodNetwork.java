package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pod network: every pod start gets a fresh pod IP on its node (as a CNI allocates one per sandbox), and the IP
 * leads to the 127.0.0.1 port its process listens on, so Services can route to it. A powered-off node answers
 * nothing: packets to its pods' IPs are lost, as are packets to an IP no pod has.
 */
public final class PodNetwork {
    private final AtomicInteger next = new AtomicInteger(10);
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<String> downNodes = ConcurrentHashMap.newKeySet();

    private record Endpoint(String node, int localPort) {
    }

    public String allocate(String node, int localPort) {
        int n = next.getAndIncrement();
        String ip = "10.244." + (n / 250) + "." + (n % 250 + 1);
        endpoints.put(ip, new Endpoint(node, localPort));
        return ip;
    }

    public void release(String ip) {
        endpoints.remove(ip);
    }

    /** The local port a packet to the pod IP reaches; empty when nothing answers (no such pod, or its node is off). */
    public Optional<Integer> localPort(String podIp) {
        return Optional.ofNullable(endpoints.get(podIp)).filter(e -> !downNodes.contains(e.node()))
                .map(Endpoint::localPort);
    }

    public Optional<String> node(String podIp) {
        return Optional.ofNullable(endpoints.get(podIp)).map(Endpoint::node);
    }

    public void hostDown(String node) {
        downNodes.add(node);
    }

    public void hostUp(String node) {
        downNodes.remove(node);
    }

    public boolean isDown(String node) {
        return downNodes.contains(node);
    }
}
