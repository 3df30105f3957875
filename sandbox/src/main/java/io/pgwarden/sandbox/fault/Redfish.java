package io.pgwarden.sandbox.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.kubelet.Kubelet;

import java.io.IOException;

/**
 * Each node's BMC, as the DMTF Redfish subset fence agents (fence_redfish, Metal3's Ironic) use:
 * {@code GET /redfish/v1/Systems/{node}} with PowerState, and
 * {@code POST /redfish/v1/Systems/{node}/Actions/ComputerSystem.Reset} with ResetType ForceOff, On or ForceRestart.
 */
final class Redfish {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Redfish() {
    }

    static JsonNode route(String method, String[] p, byte[] body, Sandbox sandbox) throws IOException {
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
                    .put("Name", node.name()).put("PowerState", node.isPowered() ? "On" : "Off");
            system.putObject("Actions").putObject("#ComputerSystem.Reset")
                    .put("target", "/redfish/v1/Systems/" + node.name() + "/Actions/ComputerSystem.Reset")
                    .putArray("ResetType@Redfish.AllowableValues").add("On").add("ForceOff").add("ForceRestart");
            return system;
        }
        if (method.equals("POST") && p.length == 6 && p[4].equals("Actions") && p[5].equals("ComputerSystem.Reset")) {
            String type = JSON.readTree(body).path("ResetType").asText();
            switch (type) {
                case "ForceOff" -> sandbox.faults().powerOff(node.name());
                case "On" -> sandbox.faults().powerOn(node.name());
                case "ForceRestart" -> {
                    sandbox.faults().powerOff(node.name());
                    sandbox.faults().powerOn(node.name());
                }
                default -> throw new IllegalArgumentException("unsupported ResetType " + type);
            }
            return JSON.createObjectNode().put("@status", 204);
        }
        return null;
    }
}
