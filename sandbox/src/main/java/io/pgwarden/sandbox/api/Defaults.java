package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaulting the real API server applies to every object it decodes (on create and on every update), for the
 * kinds the sandbox serves that have defaults a client reads back: what {@code kubectl get -o yaml} shows and
 * {@code kubectl rollout status} depends on (it refuses a StatefulSet without {@code updateStrategy.type}).
 *
 * <p>Copied from kubernetes/kubernetes v1.32: {@code pkg/apis/apps/v1/defaults.go} (SetDefaults_StatefulSet,
 * SetDefaults_Deployment), {@code pkg/apis/core/v1/defaults.go} (SetDefaults_PodSpec, SetDefaults_Pod,
 * SetDefaults_Container, SetDefaults_Probe, SetDefaults_HTTPGetAction, SetDefaults_Service,
 * SetDefaults_PersistentVolumeClaimSpec) and the declarative defaults of {@code k8s.io/api} generated into
 * {@code zz_generated.defaults.go} (container port protocol TCP, StatefulSet and Deployment replicas 1). Defaults
 * only fill what is absent, so applying them twice changes nothing.
 */
final class Defaults {
    static final long DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

    private Defaults() {
    }

    /** Fills the defaults of an object of the given resource (plural) in place; other kinds are left as they are. */
    static ObjectNode apply(String plural, ObjectNode object) {
        switch (plural) {
            case "pods" -> pod(object);
            case "statefulsets" -> statefulSet(object);
            case "deployments" -> deployment(object);
            case "services" -> service(object);
            case "persistentvolumeclaims" -> claimSpec(object.with("spec"));
            default -> {
            }
        }
        return object;
    }

    // ---- apps/v1 -----------------------------------------------------------------------------------------------

    /** SetDefaults_StatefulSet, then the pod template's and the claim templates' defaults. */
    private static void statefulSet(ObjectNode set) {
        ObjectNode spec = set.with("spec");
        putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
        ObjectNode strategy = spec.with("updateStrategy");
        if (text(strategy, "type").isEmpty()) {
            strategy.put("type", "RollingUpdate");
            strategy.with("rollingUpdate");
        }
        if ("RollingUpdate".equals(text(strategy, "type")) && strategy.path("rollingUpdate").isObject()
                && !strategy.path("rollingUpdate").has("partition")) {
            strategy.with("rollingUpdate").put("partition", 0);
        }
        // StatefulSetAutoDeletePVC is GA (locked on) in 1.32.
        ObjectNode retention = spec.with("persistentVolumeClaimRetentionPolicy");
        putIfAbsent(retention, "whenDeleted", "Retain");
        putIfAbsent(retention, "whenScaled", "Retain");
        if (!spec.has("replicas")) {
            spec.put("replicas", 1);
        }
        if (!spec.has("revisionHistoryLimit")) {
            spec.put("revisionHistoryLimit", 10);
        }
        podTemplate(spec);
        for (JsonNode template : spec.path("volumeClaimTemplates")) {
            if (template.isObject()) {
                claimSpec(((ObjectNode) template).with("spec"));
                ObjectNode status = ((ObjectNode) template).with("status");
                putIfAbsent(status, "phase", "Pending");
            }
        }
    }

    /** SetDefaults_Deployment, then the pod template's defaults. */
    private static void deployment(ObjectNode deployment) {
        ObjectNode spec = deployment.with("spec");
        if (!spec.has("replicas")) {
            spec.put("replicas", 1);
        }
        ObjectNode strategy = spec.with("strategy");
        putIfAbsent(strategy, "type", "RollingUpdate");
        if ("RollingUpdate".equals(text(strategy, "type"))) {
            ObjectNode rolling = strategy.with("rollingUpdate");
            putIfAbsent(rolling, "maxUnavailable", "25%");
            putIfAbsent(rolling, "maxSurge", "25%");
        }
        if (!spec.has("revisionHistoryLimit")) {
            spec.put("revisionHistoryLimit", 10);
        }
        if (!spec.has("progressDeadlineSeconds")) {
            spec.put("progressDeadlineSeconds", 600);
        }
        podTemplate(spec);
    }

    private static void podTemplate(ObjectNode workloadSpec) {
        if (workloadSpec.path("template").isObject()) {
            podSpec(((ObjectNode) workloadSpec.get("template")).with("spec"));
        }
    }

    // ---- core/v1 -----------------------------------------------------------------------------------------------

    /** SetDefaults_Pod (requests from limits, enableServiceLinks) and SetDefaults_PodSpec. */
    private static void pod(ObjectNode pod) {
        ObjectNode spec = pod.with("spec");
        podSpec(spec);
        for (String list : new String[]{"containers", "initContainers"}) {
            for (JsonNode container : spec.path(list)) {
                JsonNode limits = container.path("resources").path("limits");
                if (limits.isObject() && !limits.isEmpty()) {
                    ObjectNode requests = ((ObjectNode) container).with("resources").with("requests");
                    limits.fields().forEachRemaining(l -> {
                        if (!requests.has(l.getKey())) {
                            requests.set(l.getKey(), l.getValue().deepCopy());
                        }
                    });
                }
            }
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
    }

    /** SetDefaults_PodSpec and the defaults of its containers. */
    static void podSpec(ObjectNode spec) {
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "restartPolicy", "Always");
        spec.with("securityContext");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
        }
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        for (String list : new String[]{"containers", "initContainers", "ephemeralContainers"}) {
            for (JsonNode container : spec.path(list)) {
                if (container.isObject()) {
                    container((ObjectNode) container);
                }
            }
        }
    }

    /** SetDefaults_Container, the container ports' protocol, and SetDefaults_Probe for its probes. */
    private static void container(ObjectNode container) {
        if (text(container, "imagePullPolicy").isEmpty()) {
            container.put("imagePullPolicy", "latest".equals(imageTag(text(container, "image")))
                    ? "Always" : "IfNotPresent");
        }
        putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(container, "terminationMessagePolicy", "File");
        for (JsonNode port : container.path("ports")) {
            if (port.isObject()) {
                putIfAbsent((ObjectNode) port, "protocol", "TCP");
            }
        }
        for (String probe : new String[]{"livenessProbe", "readinessProbe", "startupProbe"}) {
            if (container.path(probe).isObject()) {
                probe((ObjectNode) container.get(probe));
            }
        }
    }

    private static void probe(ObjectNode probe) {
        putIfZero(probe, "timeoutSeconds", 1);
        putIfZero(probe, "periodSeconds", 10);
        putIfZero(probe, "successThreshold", 1);
        putIfZero(probe, "failureThreshold", 3);
        if (probe.path("httpGet").isObject()) {
            ObjectNode get = (ObjectNode) probe.get("httpGet");
            putIfAbsent(get, "path", "/");
            putIfAbsent(get, "scheme", "HTTP");
        }
    }

    /**
     * The tag as pkg/util/parsers.ParseImageName reads it: "latest" when the reference has neither a tag nor a
     * digest (docker's reference.TagNameOnly), none when it has a digest only.
     */
    static String imageTag(String image) {
        if (image.contains("@")) {
            String name = image.substring(0, image.indexOf('@'));
            int slash = name.lastIndexOf('/');
            int colon = name.lastIndexOf(':');
            return colon > slash ? name.substring(colon + 1) : "";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(colon + 1) : "latest";
    }

    /** SetDefaults_Service: session affinity None, type ClusterIP, port protocol and target port, traffic policy. */
    private static void service(ObjectNode service) {
        ObjectNode spec = service.with("spec");
        putIfAbsent(spec, "sessionAffinity", "None");
        if ("None".equals(text(spec, "sessionAffinity"))) {
            spec.remove("sessionAffinityConfig");
        }
        putIfAbsent(spec, "type", "ClusterIP");
        for (JsonNode port : spec.path("ports")) {
            if (port.isObject()) {
                ObjectNode p = (ObjectNode) port;
                putIfAbsent(p, "protocol", "TCP");
                JsonNode target = p.path("targetPort");
                if (target.isMissingNode() || target.isNull() || (target.isNumber() && target.asInt() == 0)
                        || (target.isTextual() && target.asText().isEmpty())) {
                    p.set("targetPort", p.path("port").deepCopy());
                }
            }
        }
        String type = text(spec, "type");
        if (!spec.has("internalTrafficPolicy") && (type.equals("ClusterIP") || type.equals("NodePort")
                || type.equals("LoadBalancer"))) {
            spec.put("internalTrafficPolicy", "Cluster");
        }
        if ((type.equals("NodePort") || type.equals("LoadBalancer")) && !spec.has("externalTrafficPolicy")) {
            spec.put("externalTrafficPolicy", "Cluster");
        }
        if (type.equals("LoadBalancer") && !spec.has("allocateLoadBalancerNodePorts")) {
            spec.put("allocateLoadBalancerNodePorts", true);
        }
    }

    /** SetDefaults_PersistentVolumeClaimSpec. */
    private static void claimSpec(ObjectNode spec) {
        putIfAbsent(spec, "volumeMode", "Filesystem");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : "";
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (text(node, field).isEmpty()) {
            node.put(field, value);
        }
    }

    private static void putIfZero(ObjectNode node, String field, int value) {
        if (node.path(field).asInt(0) == 0) {
            node.put(field, value);
        }
    }
}
