package io.pgwarden.sandbox.fault;

import io.pgwarden.contracts.Names;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.control.ClusterView;
import io.pgwarden.sandbox.kubelet.Kubelet;
import io.pgwarden.sandbox.record.InvariantRecorder;
import io.pgwarden.sandbox.record.Timeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;

/**
 * The sandbox's JSON HTTP API for scripts and other harnesses: node power, partition and container runtime faults,
 * pod process kills, where a pod's IP answers, nodes added and removed, API server outages, snapshots corrupted, the invariant report and the timeline; plus, under /redfish/v1, each
 * node's BMC as the Redfish subset a fence agent uses (ComputerSystem PowerState and the ComputerSystem.Reset action).
 */
public final class FaultApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Sandbox sandbox;
    private final Redfish redfish;

    private FaultApi(HttpServer server, Sandbox sandbox, Redfish redfish) {
        this.server = server;
        this.sandbox = sandbox;
        this.redfish = redfish;
    }

    public static FaultApi start(SandboxConfig config, Sandbox sandbox) {
        int port = config.httpPort();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            FaultApi api = new FaultApi(server, sandbox, new Redfish(sandbox, config, Clock.systemUTC()));
            server.createContext("/", api::handle);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "sandbox-http");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sandbox HTTP API on port " + port, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String[] path = exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                JsonNode answer = route(method, path, body);
                if (answer == null) {
                    send(exchange, 404, error("no such endpoint: " + method + " " + exchange.getRequestURI().getPath()));
                } else {
                    send(exchange, answer.has("@status") ? answer.get("@status").asInt() : 200, strip(answer));
                }
            } catch (Sandbox.UnknownNameException e) {
                send(exchange, 404, error(e.getMessage()));
            } catch (IllegalArgumentException e) {
                send(exchange, 400, error(e.getMessage()));
            } catch (RuntimeException e) {
                send(exchange, 500, error(String.valueOf(e.getMessage())));
            }
        }
    }

    private JsonNode route(String method, String[] p, byte[] body) throws IOException {
        if (p.length >= 1 && p[0].equals("redfish")) {
            return redfish.route(method, p, body);
        }
        if (method.equals("GET") && p.length == 1 && p[0].equals("nodes")) {
            return nodes();
        }
        if (method.equals("POST") && p.length == 1 && p[0].equals("nodes")) {
            JsonNode request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            String name = request.path("name").asText("node" + String.format("%03d", sandbox.faults().nodes().size() + 1));
            sandbox.faults().addNode(name);
            return JSON.createObjectNode().put("name", name).put("@status", 201);
        }
        if (method.equals("GET") && p.length == 2 && p[0].equals("nodes")) {
            return node(sandbox.faults().node(p[1]).orElseThrow(() -> new Sandbox.UnknownNameException("no node named " + p[1])));
        }
        if (method.equals("DELETE") && p.length == 2 && p[0].equals("nodes")) {
            sandbox.faults().removeNode(p[1]);
            return JSON.createObjectNode().put("name", p[1]).put("removed", true);
        }
        if (method.equals("POST") && p.length == 3 && p[0].equals("nodes")) {
            switch (p[2]) {
                case "power-off" -> sandbox.faults().powerOff(p[1]);
                case "power-on" -> sandbox.faults().powerOn(p[1]);
                case "partition" -> sandbox.faults().partition(p[1]);
                case "heal" -> sandbox.faults().heal(p[1]);
                case "runtime-down" -> sandbox.faults().containerRuntimeDown(p[1], true);
                case "runtime-up" -> sandbox.faults().containerRuntimeDown(p[1], false);
                default -> {
                    return null;
                }
            }
            return node(sandbox.faults().node(p[1]).orElseThrow());
        }
        if (method.equals("GET") && p.length == 5 && p[0].equals("nodes") && p[2].equals("services")) {
            int port = sandbox.servicePort(p[3], p[4], p[1])
                    .orElseThrow(() -> new Sandbox.UnknownNameException("no Service " + p[3] + "/" + p[4]));
            return JSON.createObjectNode().put("node", p[1]).put("service", p[3] + "/" + p[4]).put("port", port);
        }
        if (method.equals("GET") && p.length == 3 && p[0].equals("services")) {
            int port = sandbox.servicePort(p[1], p[2])
                    .orElseThrow(() -> new Sandbox.UnknownNameException("no Service " + p[1] + "/" + p[2]));
            return JSON.createObjectNode().put("service", p[1] + "/" + p[2]).put("port", port);
        }
        if (method.equals("GET") && p.length == 3 && p[0].equals("pods")) {
            ObjectNode pod = JSON.createObjectNode().put("pod", p[1] + "/" + p[2]);
            sandbox.podPort(p[1], p[2]).ifPresentOrElse(
                    port -> pod.put("reachable", true).put("host", "127.0.0.1").put("port", port),
                    () -> pod.put("reachable", false));
            return pod;
        }
        if (method.equals("POST") && p.length == 4 && p[0].equals("pods") && p[3].equals("kill")) {
            sandbox.faults().killPod(p[1], p[2]);
            return JSON.createObjectNode().put("pod", p[1] + "/" + p[2]).put("killed", true);
        }
        if (method.equals("POST") && p.length == 4 && p[0].equals("snapshots") && p[3].equals("corrupt")) {
            sandbox.faults().corruptSnapshot(p[1], p[2]);
            return JSON.createObjectNode().put("volumeSnapshot", p[1] + "/" + p[2]).put("corrupted", true);
        }
        if (method.equals("POST") && p.length == 5 && p[0].equals("rbd-snapshots") && p[4].equals("corrupt")) {
            sandbox.faults().corruptRbdSnapshot(p[1], p[2], p[3]);
            return JSON.createObjectNode().put("snapshot", p[1] + "/" + p[2] + "@" + p[3]).put("corrupted", true);
        }
        if (p.length == 2 && p[0].equals("api-server") && p[1].equals("outage")) {
            return apiOutage(method, body);
        }
        if (method.equals("GET") && p.length == 1 && p[0].equals("invariants")) {
            return invariants();
        }
        if (method.equals("GET") && p.length == 1 && p[0].equals("timeline")) {
            ArrayNode entries = JSON.createArrayNode();
            for (Timeline.Entry e : sandbox.timeline().entries()) {
                entries.addObject().put("at", e.at().toString()).put("kind", e.kind()).put("name", e.name())
                        .put("state", e.state());
            }
            return JSON.createObjectNode().set("entries", entries);
        }
        return null;
    }

    /** {@code POST {"seconds":N,"everyone":false}} starts one, {@code DELETE} ends it, {@code GET} tells. */
    private JsonNode apiOutage(String method, byte[] body) throws IOException {
        switch (method) {
            case "POST" -> {
                JsonNode request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
                double seconds = request.path("seconds").asDouble(0);
                if (!(seconds > 0)) {
                    throw new IllegalArgumentException("an outage needs \"seconds\" > 0");
                }
                sandbox.faults().apiOutage(Duration.ofNanos(Math.round(seconds * 1e9)),
                        request.path("everyone").asBoolean(false));
            }
            case "DELETE" -> sandbox.faults().endApiOutage();
            case "GET" -> {
            }
            default -> {
                return null;
            }
        }
        ObjectNode state = JSON.createObjectNode();
        sandbox.faults().apiOutage().ifPresentOrElse(o -> state.put("down", true).put("everyone", o.everyone())
                .put("remainingSeconds", o.remaining().toMillis() / 1000.0), () -> state.put("down", false));
        return state;
    }

    private JsonNode nodes() {
        ArrayNode nodes = JSON.createArrayNode();
        sandbox.faults().nodes().stream().sorted(Comparator.comparing(Kubelet::name)).forEach(k -> nodes.add(node(k)));
        return JSON.createObjectNode().set("nodes", nodes);
    }

    private ObjectNode node(Kubelet kubelet) {
        Node node = sandbox.client().nodes().withName(kubelet.name()).get();
        Lease lease = sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(kubelet.name()).get();
        return JSON.createObjectNode().put("name", kubelet.name()).put("internalIP", kubelet.internalIp())
                .put("power", kubelet.isPowered() ? "On" : "Off").put("partitioned", kubelet.isPartitioned())
                .put("storageAddress", kubelet.storageAddress()).put("fenced", kubelet.isFenced())
                .put("runtime", kubelet.isRuntimeDown() ? "Down" : "Up")
                .put("ready", node == null ? "Unknown" : ClusterView.ready(node).map(c -> c.getStatus()).orElse("Unknown"))
                .put("unschedulable", node != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable()))
                .put("leaseRenewTime", lease == null || lease.getSpec().getRenewTime() == null ? null
                        : lease.getSpec().getRenewTime().toInstant().toString());
    }

    private JsonNode invariants() {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode splitBrains = answer.putArray("splitBrains");
        for (InvariantRecorder.SplitBrain s : sandbox.invariants().splitBrains()) {
            splitBrains.addObject().put("volume", s.volume()).put("firstNode", s.firstNode())
                    .put("firstPod", s.firstPod()).put("secondNode", s.secondNode()).put("secondPod", s.secondPod())
                    .put("overlapStart", s.overlapStart().toString())
                    .put("overlapEnd", s.overlapEnd().map(Object::toString).orElse(null));
        }
        ArrayNode writers = answer.putArray("writers");
        for (InvariantRecorder.Writer w : sandbox.invariants().writers()) {
            writers.addObject().put("volume", w.volume()).put("node", w.node()).put("pod", w.pod())
                    .put("podUid", w.podUid()).put("pid", w.pid())
                    .put("start", w.start().toString()).put("end", w.end().map(Object::toString).orElse(null));
        }
        return answer;
    }

    static ObjectNode error(String reason) {
        return JSON.createObjectNode().put("error", "NotFound").put("reason", reason);
    }

    private static JsonNode strip(JsonNode answer) {
        if (answer instanceof ObjectNode o && o.has("@status")) {
            ObjectNode copy = o.deepCopy();
            copy.remove("@status");
            return copy;
        }
        return answer;
    }

    private static void send(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, code == 204 ? -1 : bytes.length);
        if (code != 204) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        redfish.close();
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
