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
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * kube-proxy for the Services that select pods: each gets a stable port on 127.0.0.1 (the ClusterIP) that forwards
 * new connections to a Ready, non-terminating pod among its endpoints, picked at random as iptables mode does.
 * Established connections stay where they are, as conntrack keeps them.
 * <p>
 * Every node runs its own kube-proxy: {@link #port(String, String, String)} is a Service's port as seen from a client
 * on that node. A node that cannot reach the API server (partitioned) keeps routing to the endpoints it saw last, so
 * its clients reach a zombie the rest of the cluster no longer routes to.
 * <p>
 * A powered-off node answers nothing, neither FIN nor RST: its connections stay open and silent until the client's
 * own timeouts give up, and while every endpoint of a Service is on such a node the Service drops new connection
 * attempts (a SYN to a dead host gets no answer), so the client's connect timeout decides.
 */
public final class ServiceProxies implements AutoCloseable {
    private static final int BACKLOG = 50;
    private static final int POLL_MS = 50;
    private final PodNetwork network;
    private final ExecutorService workers;
    private final ToIntFunction<Service> requestedPort;
    private final Predicate<String> seesApiServer;
    private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
    /** Each Service's endpoints as the control plane has them now. */
    private volatile Map<String, List<String>> endpoints = Map.of();
    /** Each node's kube-proxy's endpoints: the control plane's as of the last time the node could reach it. */
    private final Map<String, Map<String, List<String>>> nodeViews = new ConcurrentHashMap<>();

    public ServiceProxies(PodNetwork network, ExecutorService workers, ToIntFunction<Service> requestedPort,
                          Predicate<String> seesApiServer) {
        this.network = network;
        this.workers = workers;
        this.requestedPort = requestedPort;
        this.seesApiServer = seesApiServer;
    }

    /** Opens a Service's port before the Service is first seen, so its address is known from the start. */
    public void open(String namespace, String name, int port) {
        String key = namespace + "/" + name;
        proxies.computeIfAbsent(key, k -> new Proxy(port, () -> endpoints.getOrDefault(key, List.of())));
    }

    public void reconcile(ClusterView view) {
        Map<String, List<String>> current = new HashMap<>();
        for (Service service : view.services()) {
            Map<String, String> selector = service.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            current.put(key, view.pods().stream()
                    .filter(p -> p.getMetadata().getNamespace().equals(service.getMetadata().getNamespace()))
                    .filter(p -> p.getMetadata().getLabels() != null
                            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .filter(ServiceProxies::isReadyEndpoint)
                    .map(p -> p.getStatus().getPodIP()).toList());
            proxies.computeIfAbsent(key, k -> new Proxy(requestedPort.applyAsInt(service),
                    () -> endpoints.getOrDefault(key, List.of())));
        }
        endpoints = Map.copyOf(current);
        nodeViews.keySet().retainAll(view.nodes().keySet());
        view.nodes().keySet().stream().filter(seesApiServer).forEach(node -> nodeViews.put(node, endpoints));
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

    /** The local port of a Service as a client on the given node reaches it, through that node's kube-proxy. */
    public Optional<Integer> port(String namespace, String name, String node) {
        String key = namespace + "/" + name;
        if (!proxies.containsKey(key)) {
            return Optional.empty();
        }
        Proxy proxy = proxies.computeIfAbsent(node + "|" + key, k -> new Proxy(0,
                () -> nodeViews.getOrDefault(node, Map.of()).getOrDefault(key, List.of())));
        return Optional.of(proxy.socket.getLocalPort());
    }

    @Override
    public void close() {
        proxies.values().forEach(Proxy::close);
    }

    private final class Proxy {
        final ServerSocket socket;
        final Supplier<List<String>> endpoints;
        /** Connections this proxy holds, closed with it. */
        final Set<Socket> open = ConcurrentHashMap.newKeySet();
        /** Local ports of the connections the proxy made to itself to fill its accept queue. */
        final Set<Integer> fillers = ConcurrentHashMap.newKeySet();

        Proxy(int port, Supplier<List<String>> endpoints) {
            this.endpoints = endpoints;
            try {
                socket = new ServerSocket(port, BACKLOG, InetAddress.getLoopbackAddress());
                socket.setSoTimeout(POLL_MS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
            }
            workers.submit(this::accept);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    if (unanswered()) {
                        dropNewConnections();
                        continue;
                    }
                    Socket client = socket.accept();
                    if (fillers.remove(client.getPort())) {
                        closeQuietly(client);
                    } else {
                        route(client);
                    }
                } catch (SocketTimeoutException e) {
                    // nobody connected: look at the endpoints again
                } catch (IOException e) {
                    // the listening socket closed, or one connection failed: keep serving the others
                }
            }
        }

        /** Endpoints exist, and none of them answers: every one is on a powered-off node or gone. */
        private boolean unanswered() {
            List<String> ips = endpoints.get();
            return !ips.isEmpty() && ips.stream().allMatch(ip -> network.localPort(ip).isEmpty());
        }

        /**
         * A SYN to a dead host gets no answer. The kernel answers SYNs on the proxy's behalf while its accept queue has
         * room, so the proxy fills that queue with connections of its own and serves nothing until an endpoint answers
         * again: meanwhile Linux drops the SYNs of new clients, whose connect times out or succeeds on a retransmission.
         */
        private void dropNewConnections() throws IOException {
            List<Socket> own = new ArrayList<>();
            try {
                for (int i = 0; i <= 4 * BACKLOG && !socket.isClosed(); i++) {
                    Socket filler = new Socket();
                    try {
                        filler.connect(socket.getLocalSocketAddress(), 4 * POLL_MS);
                    } catch (SocketTimeoutException full) {
                        filler.close();
                        break;
                    }
                    fillers.add(filler.getLocalPort());
                    own.add(filler);
                }
                while (unanswered() && !socket.isClosed()) {
                    Thread.sleep(POLL_MS);
                }
            } catch (InterruptedException e) {
                close(); // the sandbox is closing
            } finally {
                own.forEach(ServiceProxies::closeQuietly);
            }
        }

        private void route(Socket client) {
            List<String> ips = endpoints.get();
            if (ips.isEmpty()) {
                reset(client); // no endpoints: kube-proxy rejects the connection
                return;
            }
            String ip = ips.get(ThreadLocalRandom.current().nextInt(ips.size()));
            Optional<Integer> port = network.localPort(ip);
            if (port.isEmpty()) {
                // Accepted before the proxy saw the host die: it stays as silent as the SYN would have.
                new Link(client, null, "").silent();
                return;
            }
            try {
                new Link(client, new Socket(InetAddress.getLoopbackAddress(), port.get()),
                        network.node(ip).orElse("")).start();
            } catch (IOException refused) {
                reset(client); // the node is up and nothing listens there: it answers RST
            }
        }

        void close() {
            closeQuietly(socket);
            open.forEach(ServiceProxies::closeQuietly);
        }

        /** One client connection and the backend it was routed to, on a node. */
        private final class Link {
            final Socket client;
            final Socket backend;
            final String node;
            volatile boolean silent;

            Link(Socket client, Socket backend, String node) {
                this.client = client;
                this.backend = backend;
                this.node = node;
                open.add(client);
                if (backend != null) {
                    open.add(backend);
                }
            }

            void start() {
                workers.submit(this::upstream);
                workers.submit(this::downstream);
            }

            void silent() {
                silent = true;
                workers.submit(this::upstream);
            }

            /** Client to backend; once the backend's node is off, what the client sends is lost. */
            private void upstream() {
                byte[] buffer = new byte[16384];
                try (InputStream in = client.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (!silent) {
                            try {
                                OutputStream out = backend.getOutputStream();
                                out.write(buffer, 0, n);
                                out.flush();
                            } catch (IOException e) {
                                if (!backendPoweredOff()) {
                                    throw e;
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    // the client went away, or the backend did on a running node
                } finally {
                    closeBoth();
                }
            }

            /** Backend to client; a backend that ends on a powered-off node leaves the client waiting. */
            private void downstream() {
                byte[] buffer = new byte[16384];
                try (InputStream in = backend.getInputStream()) {
                    OutputStream out = client.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // either side went away
                } finally {
                    if (backendPoweredOff()) {
                        closeQuietly(backend);
                    } else {
                        closeBoth();
                    }
                }
            }

            private boolean backendPoweredOff() {
                if (network.isDown(node)) {
                    silent = true;
                }
                return silent;
            }

            private void closeBoth() {
                closeQuietly(client);
                open.remove(client);
                if (backend != null) {
                    closeQuietly(backend);
                    open.remove(backend);
                }
            }
        }
    }

    /** RST instead of FIN: the client sees the connection refused rather than closed by a server. */
    private static void reset(Socket client) {
        try {
            client.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing it is all that matters
        }
        closeQuietly(client);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on shutdown or after a peer left
        }
    }
}
