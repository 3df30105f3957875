package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side printing (meta.k8s.io/v1 Table), which kubectl get asks for: the columns of the real API server's
 * printers for pods, nodes, StatefulSets and claims (pkg/printers/internalversion), NAME and AGE for the rest.
 */
final class Tables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Column(String name, int priority, Function<JsonNode, Object> cell) {
    }

    private Tables() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /** The Table for a list or a single object, ages relative to now. */
    static String render(String plural, JsonNode body, Instant now) {
        return render(plural, body, now, true);
    }

    /**
     * The Table for a list or a single object; without headers (column definitions) when the client has them
     * already, as in every watch event after the first.
     */
    static String render(String plural, JsonNode body, Instant now, boolean headers) {
        List<JsonNode> items = new ArrayList<>();
        if (body.has("items")) {
            body.get("items").forEach(items::add);
        } else {
            items.add(body);
        }
        List<Column> columns = columns(plural, now);
        ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
        ArrayNode definitions = headers ? table.putArray("columnDefinitions") : JSON.createArrayNode();
        for (Column c : columns) {
            definitions.addObject().put("name", c.name()).put("type", "string").put("format", c.name().equals("Name")
                    ? "name" : "").put("description", c.name()).put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                cells.addPOJO(c.cell().apply(item));
            }
            ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
                    .put("apiVersion", "meta.k8s.io/v1");
            partial.set("metadata", item.path("metadata").deepCopy());
        }
        return table.toString();
    }

    private static List<Column> columns(String plural, Instant now) {
        Column name = new Column("Name", 0, o -> o.path("metadata").path("name").asText());
        Column age = new Column("Age", 0, o -> age(o, now));
        return switch (plural) {
            case "pods" -> List.of(name,
                    new Column("Ready", 0, Tables::podReady),
                    new Column("Status", 0, Tables::podStatus),
                    new Column("Restarts", 0, o -> o.path("status").path("containerStatuses").path(0)
                            .path("restartCount").asInt(0)),
                    age,
                    new Column("IP", 1, o -> o.path("status").path("podIP").asText("<none>")),
                    new Column("Node", 1, o -> o.path("spec").path("nodeName").asText("<none>")),
                    new Column("Nominated Node", 1, o -> "<none>"),
                    new Column("Readiness Gates", 1, o -> "<none>"));
            case "nodes" -> List.of(name,
                    new Column("Status", 0, Tables::nodeStatus),
                    new Column("Roles", 0, o -> "<none>"),
                    age,
                    new Column("Version", 0, o -> o.path("status").path("nodeInfo").path("kubeletVersion").asText("")),
                    new Column("Internal-IP", 1, o -> address(o, "InternalIP")),
                    new Column("External-IP", 1, o -> "<none>"),
                    new Column("OS-Image", 1, o -> o.path("status").path("nodeInfo").path("osImage").asText("")),
                    new Column("Kernel-Version", 1, o -> o.path("status").path("nodeInfo").path("kernelVersion").asText("")),
                    new Column("Container-Runtime", 1, o -> o.path("status").path("nodeInfo")
                            .path("containerRuntimeVersion").asText("")));
            case "statefulsets" -> List.of(name,
                    new Column("Ready", 0, o -> o.path("status").path("readyReplicas").asInt(0) + "/"
                            + o.path("spec").path("replicas").asInt(1)),
                    age,
                    new Column("Containers", 1, o -> join(o.path("spec").path("template").path("spec")
                            .path("containers"), "name")),
                    new Column("Images", 1, o -> join(o.path("spec").path("template").path("spec")
                            .path("containers"), "image")));
            case "persistentvolumeclaims" -> List.of(name,
                    new Column("Status", 0, o -> o.path("status").path("phase").asText("Pending")),
                    new Column("Volume", 0, o -> o.path("spec").path("volumeName").asText("")),
                    new Column("Capacity", 0, o -> o.path("status").path("capacity").path("storage").asText("")),
                    new Column("Access Modes", 0, o -> accessModes(o.path("spec").path("accessModes"))),
                    new Column("StorageClass", 0, o -> o.path("spec").path("storageClassName").asText("")),
                    new Column("VolumeAttributesClass", 0, o -> "<unset>"),
                    age);
            case "events" -> List.of(
                    new Column("Last Seen", 0, o -> o.has("lastTimestamp") ? since(o.path("lastTimestamp").asText(), now)
                            : age(o, now)),
                    new Column("Type", 0, o -> o.path("type").asText("")),
                    new Column("Reason", 0, o -> o.path("reason").asText("")),
                    new Column("Object", 0, o -> o.path("involvedObject").path("kind").asText("").toLowerCase()
                            + "/" + o.path("involvedObject").path("name").asText("")),
                    new Column("Message", 0, o -> o.path("message").asText("")));
            // printPodDisruptionBudget, kubernetes pkg/printers/internalversion/printers.go
            case "poddisruptionbudgets" -> List.of(name,
                    new Column("Min Available", 0, o -> o.path("spec").path("minAvailable").asText("N/A")),
                    new Column("Max Unavailable", 0, o -> o.path("spec").path("maxUnavailable").asText("N/A")),
                    new Column("Allowed Disruptions", 0, o -> o.path("status").path("disruptionsAllowed").asInt(0)),
                    age);
            default -> List.of(name, age);
        };
    }

    private static String podReady(JsonNode pod) {
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            ready += cs.path("ready").asBoolean() ? 1 : 0;
        }
        return ready + "/" + total;
    }

    /** As kubectl prints it: Terminating wins, then a waiting container's reason, then the phase. */
    private static String podStatus(JsonNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            return "Terminating";
        }
        for (JsonNode cs : pod.path("status").path("containerStatuses")) {
            String waiting = cs.path("state").path("waiting").path("reason").asText("");
            if (!waiting.isEmpty()) {
                return waiting;
            }
        }
        return pod.path("status").path("phase").asText("Pending");
    }

    private static String nodeStatus(JsonNode node) {
        String status = "Unknown";
        for (JsonNode c : node.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                status = "True".equals(c.path("status").asText()) ? "Ready" : "NotReady";
            }
        }
        return node.path("spec").path("unschedulable").asBoolean() ? status + ",SchedulingDisabled" : status;
    }

    private static String address(JsonNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (type.equals(a.path("type").asText())) {
                return a.path("address").asText();
            }
        }
        return "<none>";
    }

    private static String join(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.path(field).asText()));
        return String.join(",", values);
    }

    private static String accessModes(JsonNode modes) {
        List<String> short_ = new ArrayList<>();
        modes.forEach(m -> short_.add(switch (m.asText()) {
            case "ReadWriteOnce" -> "RWO";
            case "ReadOnlyMany" -> "ROX";
            case "ReadWriteMany" -> "RWX";
            case "ReadWriteOncePod" -> "RWOP";
            default -> m.asText();
        }));
        return String.join(",", short_);
    }

    /** kubectl's short human duration (duration.HumanDuration, simplified). */
    static String age(JsonNode object, Instant now) {
        return since(object.path("metadata").path("creationTimestamp").asText(""), now);
    }

    private static String since(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        Duration d = Duration.between(Instant.parse(timestamp), now);
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (s < 3 * 3600) {
            return (s / 60) + "m";
        }
        if (s < 48 * 3600) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }
}
