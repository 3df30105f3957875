package io.pgwarden.sandbox.kubelet;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pod network: every pod start gets a fresh pod IP (as a CNI allocates one per sandbox), and the IP leads to
 * the 127.0.0.1 port its process listens on, so Services can route to it.
 */
public final class PodNetwork {
    private final AtomicInteger next = new AtomicInteger(10);
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();

    public String allocate(int localPort) {
        int n = next.getAndIncrement();
        String ip = "10.244." + (n / 250) + "." + (n % 250 + 1);
        ports.put(ip, localPort);
        return ip;
    }

    public void release(String ip) {
        ports.remove(ip);
    }

    public Optional<Integer> localPort(String podIp) {
        return Optional.ofNullable(ports.get(podIp));
    }
}
