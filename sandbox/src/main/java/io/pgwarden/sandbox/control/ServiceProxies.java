package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.pgwarden.sandbox.kubelet.PodNetwork;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.ToIntFunction;

/**
 * kube-proxy for the Services that select pods: each gets a stable port on 127.0.0.1 (the ClusterIP) that forwards
 * new connections to a Ready, non-terminating pod among its endpoints, as the EndpointSlice controller and
 * kube-proxy do. Established connections stay where they are, as conntrack keeps them.
 */
public final class ServiceProxies implements AutoCloseable {
    private final PodNetwork network;
    private final ExecutorService workers;
    private final ToIntFunction<Service> requestedPort;
    private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();

    public ServiceProxies(PodNetwork network, ExecutorService workers, ToIntFunction<Service> requestedPort) {
        this.network = network;
        this.workers = workers;
        this.requestedPort = requestedPort;
    }

    /** Opens a Service's port before the Service is first seen, so its address is known from the start. */
    public void open(String namespace, String name, int port) {
        proxies.computeIfAbsent(namespace + "/" + name, k -> new Proxy(port));
    }

    public void reconcile(ClusterView view) {
        for (Service service : view.services()) {
            Map<String, String> selector = service.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            Proxy proxy = proxies.computeIfAbsent(key, k -> new Proxy(requestedPort.applyAsInt(service)));
            proxy.endpoints = view.pods().stream()
                    .filter(p -> p.getMetadata().getNamespace().equals(service.getMetadata().getNamespace()))
                    .filter(p -> p.getMetadata().getLabels() != null
                            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .filter(ServiceProxies::isReadyEndpoint)
                    .map(p -> p.getStatus().getPodIP()).toList();
        }
    }

    private static boolean isReadyEndpoint(Pod pod) {
        return !ClusterView.isTerminating(pod) && pod.getStatus() != null && pod.getStatus().getPodIP() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The local port of a Service, once the proxy for it runs. */
    public Optional<Integer> port(String namespace, String name) {
        return Optional.ofNullable(proxies.get(namespace + "/" + name)).map(p -> p.socket.getLocalPort());
    }

    @Override
    public void close() {
        proxies.values().forEach(Proxy::close);
    }

    private final class Proxy {
        final ServerSocket socket;
        volatile List<String> endpoints = List.of();

        Proxy(int port) {
            try {
                socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
            }
            workers.submit(this::accept);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Optional<Integer> target = endpoints.stream().map(network::localPort)
                            .flatMap(Optional::stream).findFirst();
                    if (target.isEmpty()) {
                        client.close(); // no endpoints: the connection is refused, as with an empty Service
                        continue;
                    }
                    Socket backend = new Socket(InetAddress.getLoopbackAddress(), target.get());
                    workers.submit(() -> pump(client, backend));
                    workers.submit(() -> pump(backend, client));
                } catch (IOException e) {
                    // the listening socket closed, or one connection failed: keep serving the others
                }
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        void close() {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on shutdown or after a peer left
        }
    }
}
