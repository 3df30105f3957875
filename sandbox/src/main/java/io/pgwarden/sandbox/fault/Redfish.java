package io.pgwarden.sandbox.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import io.pgwarden.sandbox.kubelet.Kubelet;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Each node's BMC, as the DMTF Redfish subset fence agents (fence_redfish, Metal3's Ironic) use:
 * {@code GET /redfish/v1/Systems/{node}} with PowerState, and
 * {@code POST /redfish/v1/Systems/{node}/Actions/ComputerSystem.Reset} with ResetType ForceOff, On or ForceRestart.
 * Like a real BMC it answers the reset (204) before carrying it out ({@link PowerSequence}); a client polls PowerState
 * to learn when the power changed, as fence_redfish does.
 */
final class Redfish implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Redfish.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Sandbox sandbox;
    private final Clock clock;
    private final Duration powerChangeTime;
    private final Duration bootTime;
    private final ScheduledExecutorService bmc = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-bmc");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Reset> resets = new ConcurrentHashMap<>();

    private record Reset(PowerSequence sequence, List<ScheduledFuture<?>> steps) {
    }

    Redfish(Sandbox sandbox, SandboxConfig config, Clock clock) {
        this.sandbox = sandbox;
        this.clock = clock;
        this.powerChangeTime = config.scaled(config.timings().bmcPowerChangeTime());
        this.bootTime = config.scaled(config.timings().bootTime());
    }

    JsonNode route(String method, String[] p, byte[] body) throws IOException {
        if (p.length < 3 || !p[1].equals("v1") || !p[2].equals("Systems")) {
            return null;
        }
        if (method.equals("GET") && p.length == 3) {
            ObjectNode collection = JSON.createObjectNode().put("@odata.id", "/redfish/v1/Systems")
                    .put("Name", "Computer System Collection");
            var members = collection.putArray("Members");
            sandbox.faults().nodes().forEach(k -> members.addObject().put("@odata.id", "/redfish/v1/Systems/" + k.name()));
            return collection.put("Members@odata.count", members.size());
        }
        Kubelet node = sandbox.faults().node(p[3]).orElseThrow(() -> new Sandbox.UnknownNameException("no system " + p[3]));
        if (method.equals("GET") && p.length == 4) {
            ObjectNode system = JSON.createObjectNode().put("@odata.id", "/redfish/v1/Systems/" + node.name())
                    .put("@odata.type", "#ComputerSystem.v1_20_0.ComputerSystem").put("Id", node.name())
                    .put("Name", node.name()).put("PowerState", powerState(node));
            system.putObject("Actions").putObject("#ComputerSystem.Reset")
                    .put("target", "/redfish/v1/Systems/" + node.name() + "/Actions/ComputerSystem.Reset")
                    .putArray("ResetType@Redfish.AllowableValues").add("On").add("ForceOff").add("ForceRestart");
            return system;
        }
        if (method.equals("POST") && p.length == 6 && p[4].equals("Actions") && p[5].equals("ComputerSystem.Reset")) {
            reset(node.name(), JSON.readTree(body).path("ResetType").asText());
            return JSON.createObjectNode().put("@status", 204);
        }
        return null;
    }

    private String powerState(Kubelet node) {
        Reset reset = resets.get(node.name());
        Instant now = clock.instant();
        if (reset != null && !reset.sequence().isOver(now)) {
            return reset.sequence().powerState(now);
        }
        return node.isPowered() ? "On" : "Off";
    }

    /** Accepts the reset and carries it out later; a new reset of the node replaces one still under way. */
    private synchronized void reset(String node, String type) {
        PowerSequence sequence = new PowerSequence(type, clock.instant(), powerChangeTime, bootTime);
        List<ScheduledFuture<?>> steps = new ArrayList<>();
        if (sequence.cutsPower()) {
            steps.add(bmc.schedule(() -> step(node, "power off", () -> sandbox.faults().powerOff(node)),
                    powerChangeTime.toNanos(), TimeUnit.NANOSECONDS));
        }
        sequence.kubeletBackAt().ifPresent(at -> steps.add(bmc.schedule(
                () -> step(node, "boot", () -> sandbox.faults().powerOn(node)),
                Duration.between(sequence.requestedAt(), at).toNanos(), TimeUnit.NANOSECONDS)));
        Reset previous = resets.put(node, new Reset(sequence, steps));
        if (previous != null) {
            previous.steps().forEach(s -> s.cancel(false));
        }
    }

    private static void step(String node, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "BMC of " + node + ": " + what + " failed", e); // e.g. the node was removed
        }
    }

    @Override
    public void close() {
        bmc.shutdownNow();
    }
}
