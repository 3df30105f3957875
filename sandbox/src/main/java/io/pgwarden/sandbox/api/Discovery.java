package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resources the sandbox serves and the discovery documents kubectl reads before any request
 * (/api, /apis, /api/v1, /apis/{group}/{version}: the legacy, non-aggregated discovery of the real API server).
 */
final class Discovery {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    record Resource(String groupVersion, String plural, String singular, String kind, boolean namespaced,
                    List<String> shortNames, boolean hasStatus, List<String> subresources) {
    }

    static final List<Resource> RESOURCES = List.of(
            new Resource("v1", "pods", "pod", "Pod", true, List.of("po"), true, List.of("eviction")),
            new Resource("v1", "nodes", "node", "Node", false, List.of("no"), true, List.of()),
            new Resource("v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), true, List.of()),
            new Resource("v1", "services", "service", "Service", true, List.of("svc"), true, List.of()),
            new Resource("v1", "endpoints", "endpoints", "Endpoints", true, List.of("ep"), false, List.of()),
            new Resource("v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
                    List.of("pvc"), true, List.of()),
            new Resource("v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, List.of("pv"),
                    true, List.of()),
            new Resource("v1", "events", "event", "Event", true, List.of("ev"), false, List.of()),
            new Resource("v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), false, List.of()),
            new Resource("v1", "secrets", "secret", "Secret", true, List.of(), false, List.of()),
            new Resource("v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), false,
                    List.of()),
            new Resource("apps/v1", "statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), true,
                    List.of("scale")),
            new Resource("apps/v1", "deployments", "deployment", "Deployment", true, List.of("deploy"), true,
                    List.of("scale")),
            new Resource("batch/v1", "jobs", "job", "Job", true, List.of(), true, List.of()),
            new Resource("coordination.k8s.io/v1", "leases", "lease", "Lease", true, List.of(), false, List.of()),
            new Resource("storage.k8s.io/v1", "volumeattachments", "volumeattachment", "VolumeAttachment", false,
                    List.of(), true, List.of()),
            new Resource("storage.k8s.io/v1", "storageclasses", "storageclass", "StorageClass", false,
                    List.of("sc"), false, List.of()),
            new Resource("policy/v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true,
                    List.of("pdb"), true, List.of()),
            new Resource("snapshot.storage.k8s.io/v1", "volumesnapshots", "volumesnapshot", "VolumeSnapshot", true,
                    List.of("vs"), true, List.of()),
            new Resource("snapshot.storage.k8s.io/v1", "volumesnapshotcontents", "volumesnapshotcontent",
                    "VolumeSnapshotContent", false, List.of("vsc"), true, List.of()),
            new Resource("snapshot.storage.k8s.io/v1", "volumesnapshotclasses", "volumesnapshotclass",
                    "VolumeSnapshotClass", false, List.of("vsclass"), false, List.of()),
            new Resource("csiaddons.openshift.io/v1alpha1", "networkfences", "networkfence", "NetworkFence", false,
                    List.of(), true, List.of()));

    private static final Set<String> WITH_STATUS = Set.copyOf(
            RESOURCES.stream().filter(Resource::hasStatus).map(Resource::plural).toList());

    private Discovery() {
    }

    record ListKind(String apiVersion, String kind) {
    }

    /** The typed list kind for a collection path: /api/v1/namespaces/x/pods is a v1 PodList. */
    static Optional<ListKind> listKind(String path) {
        String[] segments = path.split("/");
        String plural = segments[segments.length - 1];
        return RESOURCES.stream().filter(r -> r.plural().equals(plural)
                        && path.startsWith(r.groupVersion().equals("v1") ? "/api/v1" : "/apis/" + r.groupVersion()))
                .findFirst().map(r -> new ListKind(r.groupVersion(), r.kind() + "List"));
    }

    /** The kind of a resource (Pod in v1 for pods), if the sandbox serves it. */
    static Optional<ListKind> kind(String groupVersion, String plural) {
        return RESOURCES.stream().filter(r -> r.plural().equals(plural) && r.groupVersion().equals(groupVersion))
                .findFirst().map(r -> new ListKind(r.groupVersion(), r.kind()));
    }

    /** Kinds whose status is a subresource: a plain update keeps the stored status, as in the real API server. */
    static boolean hasStatusSubresource(String plural) {
        return WITH_STATUS.contains(plural);
    }

    static String version() {
        return "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-pgwarden-sandbox\","
                + "\"platform\":\"linux/amd64\",\"goVersion\":\"go1.23\",\"compiler\":\"gc\"}";
    }

    /** The discovery document for a path, if it is one. */
    static Optional<String> document(String path) {
        if (path.equals("/api")) {
            return Optional.of("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                    + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}");
        }
        if (path.equals("/apis")) {
            return Optional.of(groupList());
        }
        if (path.equals("/api/v1")) {
            return Optional.of(resourceList("v1"));
        }
        if (path.startsWith("/apis/")) {
            String groupVersion = path.substring("/apis/".length());
            if (groupVersion.chars().filter(c -> c == '/').count() == 1 && isServed(groupVersion)) {
                return Optional.of(resourceList(groupVersion));
            }
            if (!groupVersion.contains("/") && groups().containsKey(groupVersion)) {
                return Optional.of(group(groupVersion, groups().get(groupVersion)).toString());
            }
        }
        return Optional.empty();
    }

    private static boolean isServed(String groupVersion) {
        return RESOURCES.stream().anyMatch(r -> r.groupVersion().equals(groupVersion));
    }

    private static Map<String, String> groups() {
        Map<String, String> groups = new LinkedHashMap<>();
        for (Resource r : RESOURCES) {
            int slash = r.groupVersion().indexOf('/');
            if (slash > 0) {
                groups.put(r.groupVersion().substring(0, slash), r.groupVersion().substring(slash + 1));
            }
        }
        return groups;
    }

    private static String groupList() {
        ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode items = list.putArray("groups");
        groups().forEach((group, version) -> items.add(group(group, version)));
        return list.toString();
    }

    private static ObjectNode group(String group, String version) {
        ObjectNode g = JSON.createObjectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", group);
        ObjectNode v = JSON.createObjectNode().put("groupVersion", group + "/" + version).put("version", version);
        g.putArray("versions").add(v);
        g.set("preferredVersion", v.deepCopy());
        return g;
    }

    private static String resourceList(String groupVersion) {
        ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", groupVersion);
        ArrayNode items = list.putArray("resources");
        for (Resource r : RESOURCES) {
            if (!r.groupVersion().equals(groupVersion)) {
                continue;
            }
            ObjectNode item = items.addObject().put("name", r.plural()).put("singularName", r.singular())
                    .put("namespaced", r.namespaced()).put("kind", r.kind());
            VERBS.forEach(item.putArray("verbs")::add);
            ArrayNode shortNames = item.putArray("shortNames");
            r.shortNames().forEach(shortNames::add);
            if (r.hasStatus()) {
                addSubresource(items, r, "status", r.kind(), List.of("get", "patch", "update"));
            }
            for (String sub : r.subresources()) {
                switch (sub) {
                    case "scale" -> addSubresource(items, r, sub, "Scale", List.of("get", "patch", "update"))
                            .put("group", "autoscaling").put("version", "v1");
                    case "eviction" -> addSubresource(items, r, sub, "Eviction", List.of("create"))
                            .put("group", "policy").put("version", "v1");
                    default -> throw new IllegalStateException(sub);
                }
            }
        }
        return list.toString();
    }

    private static ObjectNode addSubresource(ArrayNode items, Resource r, String sub, String kind, List<String> verbs) {
        ObjectNode item = items.addObject().put("name", r.plural() + "/" + sub).put("singularName", "")
                .put("namespaced", r.namespaced()).put("kind", kind);
        verbs.forEach(item.putArray("verbs")::add);
        return item;
    }
}
