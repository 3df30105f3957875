package io.pgwarden.sandbox.api;

import io.pgwarden.contracts.Names;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fabric8's CRUD mock dispatcher, corrected where it differs from the real API server in ways the services, the
 * sandbox's controllers or kubectl depend on. Storage, create, get and list stay the mock's; this class adds
 * discovery, field selectors, the status/scale/eviction subresources, graceful pod deletion, defaulting, its own
 * update path (PUT and every PATCH type), which keeps status on plain updates and does not delete a terminating
 * object when it is updated, and the watches (with the {@link WatchCache}, which the mock does not have: its
 * watches ignore resourceVersion).
 */
public final class SandboxDispatcher extends KubernetesCrudDispatcher {
    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final Pattern POD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)");
    private static final Pattern EVICTION = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction");
    private static final Pattern SCALE =
            Pattern.compile("/apis/apps/v1/namespaces/([^/]+)/(statefulsets|deployments)/([^/]+)/scale");
    private static final int DEFAULT_GRACE_SECONDS = 30;

    private static final Pattern PODS = Pattern.compile("/api/v1/namespaces/([^/]+)/pods");
    private static final Pattern CLAIMS = Pattern.compile("/api/v1/namespaces/([^/]+)/persistentvolumeclaims");
    /** A collection a create is posted to: /api/v1/namespaces/x/pods, /apis/apps/v1/namespaces/x/statefulsets. */
    private static final Pattern COLLECTION =
            Pattern.compile("/(?:api|apis/[^/]+)/[^/]+(?:/namespaces/[^/]+)?/([^/]+)");
    static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";

    private final Clock clock;
    private final long defaultTolerationSeconds;
    private final Consumer<String> onChange;
    /** plural/namespace/name to the mock's key of that object: the mock itself scans every object per lookup. */
    private final Map<String, AttributeSet> index = new java.util.HashMap<>();
    private final ApiRequests requests = new ApiRequests();
    private final WatchCache watchCache;
    /** Open watches by resource (group/plural); added and offered changes under this object's lock. */
    private final Map<String, java.util.Set<Watcher>> watchers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The newest resource version handed out: a list's resourceVersion, and every bookmark's. */
    private long resourceVersion;

    /**
     * @param onChange told the resource (plural) of every stored change, as a watch would be; called while the
     *                 store is locked, so it must only take note
     */
    public SandboxDispatcher(Clock clock, long defaultTolerationSeconds, Consumer<String> onChange) {
        this(clock, defaultTolerationSeconds, onChange, System::nanoTime);
    }

    /** @param watchCacheNanoTime the clock the watch cache ages its history by */
    SandboxDispatcher(Clock clock, long defaultTolerationSeconds, Consumer<String> onChange,
                      java.util.function.LongSupplier watchCacheNanoTime) {
        this.watchCache = new WatchCache(watchCacheNanoTime);
        this.clock = clock;
        this.defaultTolerationSeconds = defaultTolerationSeconds;
        this.onChange = onChange;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response;
        // One request at a time: the extensions below read and then write, like the mock's own handlers.
        synchronized (this) {
            try {
                response = withJsonContentType(route(request));
            } catch (ApiError e) {
                response = e.toResponse();
            }
        }
        String path = request.getPath() == null ? "" : request.getPath().replaceFirst("\\?.*$", "");
        requests.answered(request.getMethod(), path, response.code(), request.getHeader("User-Agent"));
        java.time.Duration delay = requests.delay(request.getMethod(), path);
        return delay == null ? response : response.setBodyDelay(delay);
    }

    /** The log of writes and the slow answers tests ask for. */
    public ApiRequests requests() {
        return requests;
    }

    private MockResponse route(RecordedRequest request) {
        String fullPath = request.getPath();
        int q = fullPath.indexOf('?');
        String path = q < 0 ? fullPath : fullPath.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : fullPath.substring(q + 1));
        String method = request.getMethod();
        String body = request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);

        if (method.equals("GET") && path.equals("/version")) {
            return json(200, Discovery.version());
        }
        if (path.startsWith("/openapi/")) {
            // No OpenAPI documents: kubectl then skips client-side schema validation.
            throw new ApiError(404, "NotFound", "the sandbox serves no OpenAPI schema");
        }
        if (method.equals("GET")) {
            var doc = Discovery.document(path);
            if (doc.isPresent()) {
                return json(200, doc.get());
            }
        }
        Matcher eviction = EVICTION.matcher(path);
        if (eviction.matches() && method.equals("POST")) {
            return evict(eviction.group(1), eviction.group(2), query, body);
        }
        Matcher scale = SCALE.matcher(path);
        if (scale.matches()) {
            return scale(method, scale.group(1), scale.group(2), scale.group(3), body, request.getHeader("Content-Type"));
        }
        if (WatchRequest.isWatch(method, query)) {
            // ApiServer serves watches as streams (watch()); only the mock's own watch would come here.
            throw new ApiError(400, "BadRequest", "watches are served by the API server's watch handler");
        }
        return switch (method) {
            case "GET" -> asServerAnswers(get(fullPath, query), path, request.getHeader("Accept"));
            case "POST" -> create(request, path, body);
            case "PUT" -> update(path, current -> parse(body));
            case "PATCH" -> update(path, current -> patch(current, body, request.getHeader("Content-Type")));
            case "DELETE" -> delete(fullPath, path, query, body);
            default -> new MockResponse().setResponseCode(405);
        };
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    private MockResponse get(String fullPath, Map<String, String> query) {
        if (query.isEmpty() && indexKey(getKey(fullPath)) != null) {
            Map.Entry<AttributeSet, String> entry = findResource(getKey(fullPath));
            return entry == null ? notFound(getKey(fullPath), fullPath).toResponse() : json(200, entry.getValue());
        }
        FieldSelector fields = FieldSelector.parse(query.get("fieldSelector"));
        SetBasedLabelSelector labels = SetBasedLabelSelector.parse(query.get("labelSelector"));
        if (fields.isEmpty() && labels.isEmpty()) {
            return super.handleGet(fullPath);
        }
        String mockPath = fullPath;
        if (!fields.isEmpty()) {
            mockPath = withQueryParameter(mockPath, "fieldSelector", FieldSelector.mockTerms(query.get("fieldSelector")));
        }
        if (!labels.isEmpty()) {
            mockPath = withQueryParameter(mockPath, "labelSelector", labels.mockTerms());
        }
        java.util.function.Predicate<JsonNode> selected = o -> fields.matches(o) && labels.matches(o);
        MockResponse response = super.handleGet(mockPath);
        ObjectNode list = (ObjectNode) parse(response.getBody().readUtf8());
        ArrayNode kept = JSON.createArrayNode();
        list.withArray("items").forEach(item -> {
            if (selected.test(item)) {
                kept.add(item);
            }
        });
        list.set("items", kept);
        return json(200, list.toString());
    }

    /**
     * Lists as the real server answers them: typed ({@code PodList} in the resource's group version, where the mock
     * says {@code List}, which client-go decodes as empty), in etcd key order (namespace, name; the mock keeps
     * update order), and as a Table when the client asks for server-side printing.
     */
    private MockResponse asServerAnswers(MockResponse response, String path, String accept) {
        if (response.getWebSocketListener() != null || response.code() != 200 || response.getBody() == null) {
            return response;
        }
        JsonNode body = parse(new String(response.getBody().getBytes(), StandardCharsets.UTF_8));
        if (body.has("items") && body.get("items").isArray()) {
            List<JsonNode> items = new ArrayList<>();
            body.get("items").forEach(items::add);
            items.sort(Comparator.comparing((JsonNode i) -> i.path("metadata").path("namespace").asText(""))
                    .thenComparing(i -> i.path("metadata").path("name").asText("")));
            ArrayNode sorted = JSON.createArrayNode();
            items.forEach(sorted::add);
            ((ObjectNode) body).set("items", sorted);
            Discovery.listKind(path).ifPresent(kind -> ((ObjectNode) body).put("kind", kind.kind())
                    .put("apiVersion", kind.apiVersion()));
        }
        if (!Tables.wanted(accept) || !body.has("kind")) {
            return json(200, body.toString());
        }
        String[] segments = path.split("/");
        String plural = segments[segments.length - (body.has("items") ? 1 : 2)];
        MockResponse table = json(200, Tables.render(plural, body, clock.instant()));
        table.setHeader("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io");
        return table;
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    /**
     * The real API server's update: status changes only through /status and the rest only through the main
     * resource; resourceVersion conflicts answer 409; generation counts spec changes; an object marked for deletion
     * goes once its finalizers are gone, except a pod, which goes when its kubelet (or a force delete) removes it.
     */
    private MockResponse update(String path, UnaryOperator<JsonNode> change) {
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        if (entry == null) {
            throw notFound(key, path);
        }
        ObjectNode current = (ObjectNode) parse(entry.getValue());
        JsonNode desired = change.apply(current.deepCopy());
        if (!desired.isObject()) {
            throw new ApiError(400, "BadRequest", "the body is not an object");
        }
        String plural = key.getAttribute("plural").getValues().iterator().next().toString();
        ObjectNode result;
        if (path.endsWith("/status")) {
            result = current.deepCopy();
            copyField(desired, result, "status");
        } else {
            result = Defaults.apply(plural, (ObjectNode) desired);
            if (Discovery.hasStatusSubresource(plural)) {
                copyField(current, result, "status");
            }
        }
        String requestedVersion = desired.path("metadata").path("resourceVersion").asText("");
        String currentVersion = current.path("metadata").path("resourceVersion").asText("");
        if (!requestedVersion.isEmpty() && !requestedVersion.equals(currentVersion)) {
            throw new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + plural + " \""
                    + current.path("metadata").path("name").asText() + "\": the object has been modified; please "
                    + "apply your changes to the latest version and try again");
        }
        ObjectNode metadata = result.with("metadata");
        JsonNode currentMetadata = current.path("metadata");
        for (String immutable : new String[]{"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation", "resourceVersion"}) {
            copyField(currentMetadata, metadata, immutable);
        }
        if (!withoutMetadataAndStatus(current).equals(withoutMetadataAndStatus(result))) {
            metadata.put("generation", currentMetadata.path("generation").asLong(1) + 1);
        }
        if (result.equals(current)) {
            return json(200, current.toString());
        }
        metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
        boolean gone = metadata.has("deletionTimestamp") && metadata.path("finalizers").isEmpty()
                && !plural.equals("pods");
        String json = gone ? null : result.toString();
        processEvent(path, key, entry.getKey(), gone ? null : resource(json), json);
        return json(200, gone ? current.toString() : json);
    }

    /**
     * Create as the real API server does it: the kind's defaults (see {@link Defaults}), then admission: for pods
     * the DefaultTolerationSeconds plugin (tolerations of the not-ready and unreachable NoExecute taints, 300 s by
     * default) and status phase Pending; for claims the StorageObjectInUseProtection plugin (the
     * kubernetes.io/pvc-protection finalizer, so deleting a claim a pod still uses only marks it) and phase Pending.
     */
    private MockResponse create(RecordedRequest request, String path, String body) {
        Matcher collection = COLLECTION.matcher(path);
        if (!collection.matches() || body.isBlank()) {
            return super.handleCreate(request);
        }
        JsonNode parsed = parse(body);
        if (!parsed.isObject()) {
            return super.handleCreate(request);
        }
        String plural = collection.group(1);
        ObjectNode object = Defaults.apply(plural, (ObjectNode) parsed);
        if (plural.equals("pods") && PODS.matcher(path).matches()) {
            admitPod(object);
        } else if (plural.equals("persistentvolumeclaims") && CLAIMS.matcher(path).matches()) {
            admitClaim(object);
        }
        return super.handleCreate(new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders(), new Buffer(object.toString().getBytes(StandardCharsets.UTF_8))));
    }

    private void admitPod(ObjectNode pod) {
        ArrayNode tolerations = pod.with("spec").withArray("tolerations");
        for (String taint : new String[]{Names.TAINT_NOT_READY, Names.TAINT_UNREACHABLE}) {
            boolean present = false;
            for (JsonNode t : tolerations) {
                present |= taint.equals(t.path("key").asText()) && (t.path("effect").asText("").isEmpty()
                        || "NoExecute".equals(t.path("effect").asText()));
            }
            if (!present) {
                tolerations.addObject().put("key", taint).put("operator", "Exists").put("effect", "NoExecute")
                        .put("tolerationSeconds", defaultTolerationSeconds);
            }
        }
        pod.putObject("status").put("phase", "Pending").put("qosClass", "BestEffort");
    }

    private static void admitClaim(ObjectNode claim) {
        ArrayNode finalizers = claim.with("metadata").withArray("finalizers");
        boolean present = false;
        for (JsonNode f : finalizers) {
            present |= PVC_PROTECTION.equals(f.asText());
        }
        if (!present) {
            finalizers.add(PVC_PROTECTION);
        }
        claim.putObject("status").put("phase", "Pending");
    }

    private JsonNode patch(JsonNode current, String body, String contentType) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        return switch (type) {
            case "application/json-patch+json" -> JsonPatch.apply(parse(body), current);
            case "application/merge-patch+json", "application/strategic-merge-patch+json" ->
                    JsonMergePatch.apply(current, parse(body));
            default -> throw new ApiError(415, "UnsupportedMediaType",
                    "the sandbox does not support patches of type " + type);
        };
    }

    /**
     * Graceful deletion: a pod bound to a node is only marked (deletionTimestamp = now + grace period) and waits for
     * its kubelet to confirm; a force delete (grace period 0) or an unbound pod goes at once. Other kinds keep the
     * mock's behavior (gone at once unless finalizers hold them).
     */
    private MockResponse delete(String fullPath, String path, Map<String, String> query, String body) {
        Matcher pod = POD.matcher(path);
        if (!pod.matches()) {
            return super.handleDelete(fullPath);
        }
        Long grace = gracePeriod(query, body);
        return deletePod(pod.group(1), pod.group(2), grace, body.isBlank() ? null : parse(body).path("preconditions"));
    }

    private MockResponse deletePod(String namespace, String name, Long requestedGrace, JsonNode preconditions) {
        String path = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        if (entry == null) {
            throw new ApiError(404, "NotFound", "pods \"" + name + "\" not found");
        }
        ObjectNode current = (ObjectNode) parse(entry.getValue());
        checkPreconditions(current, preconditions, name);
        long grace = requestedGrace != null ? requestedGrace
                : current.path("spec").path("terminationGracePeriodSeconds").asLong(DEFAULT_GRACE_SECONDS);
        boolean bound = !current.path("spec").path("nodeName").asText("").isEmpty();
        if (grace == 0 || !bound) {
            return super.handleDelete(path);
        }
        ObjectNode metadata = current.with("metadata");
        if (metadata.has("deletionTimestamp")) {
            return json(200, current.toString());
        }
        metadata.put("deletionTimestamp", clock.instant().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
        metadata.put("deletionGracePeriodSeconds", grace);
        metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
        String json = current.toString();
        processEvent(path, key, entry.getKey(), resource(json), json);
        return json(200, json);
    }

    /**
     * DeleteOptions.preconditions: a delete meant for one incarnation of a pod (its UID) or one version of it fails
     * with 409 Conflict when the pod is another, as the API server's generic store checks them
     * (k8s.io/apiserver {@code pkg/registry/generic/registry/store.go}, {@code Preconditions.Check}).
     */
    private static void checkPreconditions(JsonNode current, JsonNode preconditions, String name) {
        if (preconditions == null || preconditions.isMissingNode() || preconditions.isNull()) {
            return;
        }
        for (String field : new String[]{"uid", "resourceVersion"}) {
            String wanted = preconditions.path(field).asText("");
            String actual = current.path("metadata").path(field).asText("");
            if (!wanted.isEmpty() && !wanted.equals(actual)) {
                throw new ApiError(409, "Conflict", "Operation cannot be fulfilled on Pod \"" + name
                        + "\": Precondition failed: " + (field.equals("uid") ? "UID" : "ResourceVersion")
                        + " in precondition: " + wanted + ", " + (field.equals("uid") ? "UID" : "ResourceVersion")
                        + " in object meta: " + actual);
            }
        }
    }

    private static Long gracePeriod(Map<String, String> query, String body) {
        if (query.containsKey("gracePeriodSeconds")) {
            return Long.parseLong(query.get("gracePeriodSeconds"));
        }
        if (!body.isBlank()) {
            JsonNode options = parse(body);
            if (options.has("gracePeriodSeconds")) {
                return options.get("gracePeriodSeconds").asLong();
            }
        }
        return null;
    }

    /**
     * pods/eviction (policy/v1), what kubectl drain calls: the pod's PodDisruptionBudget decides ({@link Eviction});
     * if it lets the pod go, the budget's status is stored first, then the pod gets the DisruptionTarget condition
     * (EvictionByEvictionAPI) and is deleted gracefully, as addConditionAndDeletePod does. A dry run
     * ({@code deleteOptions.dryRun} or the {@code dryRun} query parameter) answers the same and changes nothing.
     */
    private MockResponse evict(String namespace, String name, Map<String, String> query, String body) {
        JsonNode eviction = body.isBlank() ? JSON.createObjectNode() : parse(body);
        if (!name.equals(eviction.path("metadata").path("name").asText(""))) {
            throw new ApiError(400, "BadRequest", "name in URL does not match name in Eviction object");
        }
        JsonNode options = eviction.path("deleteOptions");
        boolean dryRun = !options.path("dryRun").isEmpty() || !query.getOrDefault("dryRun", "").isEmpty();
        Map.Entry<AttributeSet, String> entry = findResource(getKey("/api/v1/namespaces/" + namespace + "/pods/" + name));
        if (entry == null) {
            throw new ApiError(404, "NotFound", "pods \"" + name + "\" not found");
        }
        Pod pod = Serialization.unmarshal(entry.getValue(), Pod.class);
        Eviction.Decision decision = Eviction.decide(pod, disruptionBudgets(namespace), dryRun, clock.instant());
        if (decision instanceof Eviction.Unsupported unsupported) {
            return json(201, ApiError.status(500, "", unsupported.message()));
        }
        PodDisruptionBudget budget = ((Eviction.Evict) decision).budget();
        if (budget != null) {
            storeStatus("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets/"
                    + budget.getMetadata().getName(), JSON.valueToTree(budget.getStatus()));
        }
        if (!dryRun) {
            markDisruptionTarget(namespace, name, options.path("preconditions"));
            deletePod(namespace, name, options.has("gracePeriodSeconds") ? options.get("gracePeriodSeconds").asLong()
                    : null, null);
        }
        return json(201, ApiError.status(201, "", ""));
    }

    private List<PodDisruptionBudget> disruptionBudgets(String namespace) {
        List<PodDisruptionBudget> budgets = new ArrayList<>();
        map.forEach((key, json) -> {
            if ("poddisruptionbudgets".equals(value(key, "plural")) && namespace.equals(value(key, "namespace"))) {
                budgets.add(Serialization.unmarshal(json, PodDisruptionBudget.class));
            }
        });
        return budgets;
    }

    /** Writes an object's status, as an update of /status would. */
    private void storeStatus(String path, JsonNode status) {
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        ObjectNode updated = (ObjectNode) parse(entry.getValue());
        updated.set("status", status);
        updated.with("metadata").put("resourceVersion", String.valueOf(requestResourceVersion()));
        String json = updated.toString();
        processEvent(path, key, entry.getKey(), resource(json), json);
    }

    /**
     * The DisruptionTarget condition an eviction leaves on the pod before deleting it, after the delete's
     * preconditions (UID, resourceVersion) are checked against the pod as stored.
     */
    private void markDisruptionTarget(String namespace, String name, JsonNode preconditions) {
        String path = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        ObjectNode pod = (ObjectNode) parse(findResource(getKey(path)).getValue());
        checkPreconditions(pod, preconditions, name);
        ArrayNode conditions = pod.with("status").withArray("conditions");
        String transition = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = conditions.size() - 1; i >= 0; i--) {
            JsonNode c = conditions.get(i);
            if ("DisruptionTarget".equals(c.path("type").asText())) {
                if ("True".equals(c.path("status").asText()) && c.has("lastTransitionTime")) {
                    transition = c.get("lastTransitionTime").asText();
                }
                conditions.remove(i);
            }
        }
        conditions.addObject().put("type", "DisruptionTarget").put("status", "True")
                .put("lastTransitionTime", transition).put("reason", "EvictionByEvictionAPI")
                .put("message", "Eviction API: evicting");
        storeStatus(path, pod.get("status"));
    }

    /** The scale subresource (autoscaling/v1 Scale), which kubectl scale and client.scale(n) use. */
    private MockResponse scale(String method, String namespace, String plural, String name, String body,
                               String contentType) {
        String path = "/apis/apps/v1/namespaces/" + namespace + "/" + plural + "/" + name;
        Map.Entry<AttributeSet, String> entry = findResource(getKey(path));
        if (entry == null) {
            throw new ApiError(404, "NotFound", plural + ".apps \"" + name + "\" not found");
        }
        JsonNode workload = parse(entry.getValue());
        if (method.equals("GET")) {
            return json(200, toScale(workload).toString());
        }
        if (!method.equals("PUT") && !method.equals("PATCH")) {
            return new MockResponse().setResponseCode(405);
        }
        JsonNode desired = method.equals("PUT") ? parse(body) : patch(toScale(workload), body, contentType);
        int replicas = desired.path("spec").path("replicas").asInt(0);
        MockResponse updated = update(path, current -> {
            ((ObjectNode) current.with("spec")).put("replicas", replicas);
            return current;
        });
        return json(200, toScale(parse(updated.getBody().readUtf8())).toString());
    }

    private static ObjectNode toScale(JsonNode workload) {
        ObjectNode scale = JSON.createObjectNode().put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        for (String field : new String[]{"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            copyField(workload.path("metadata"), metadata, field);
        }
        scale.putObject("spec").put("replicas", workload.path("spec").path("replicas").asInt(1));
        StringBuilder selector = new StringBuilder();
        workload.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
                selector.append(selector.length() == 0 ? "" : ",").append(e.getKey()).append('=')
                        .append(e.getValue().asText()));
        scale.putObject("status").put("replicas", workload.path("status").path("replicas").asInt(0))
                .put("selector", selector.toString());
        return scale;
    }

    /** NotFound as the real server words it: {@code pods "x" not found}, {@code statefulsets.apps "x" not found}. */
    private static ApiError notFound(AttributeSet key, String path) {
        String plural = value(key, "plural");
        String name = value(key, "name");
        if (plural == null || name == null) {
            return ApiError.notFound(path);
        }
        String group = value(key, "api");
        return new ApiError(404, "NotFound", plural + (group == null ? "" : "." + group) + " \"" + name
                + "\" not found");
    }

    // ---- the lookup index ----

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        String key = indexKey(attributes);
        AttributeSet stored = key == null ? null : index.get(key);
        if (stored != null) {
            String value = map.get(stored);
            if (value != null && stored.matches(attributes)) {
                return Map.entry(stored, value);
            }
        }
        return super.findResource(attributes);
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        String existing = oldAttributes == null ? null : map.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        onChange.accept(value(pathAttributes, "plural"));
        if (oldAttributes != null) {
            index.remove(indexKey(oldAttributes));
        }
        AttributeSet stored = null;
        if (newState != null) {
            // The mock's own rule for the stored key: the object's attributes, plus the path's when it lacks a plural.
            stored = resource != null ? getKubernetesAttributesExtractor().extract(resource)
                    : getKubernetesAttributesExtractor().fromResource(newState);
            if (!stored.containsKey("plural")) {
                stored = AttributeSet.merge(pathAttributes, stored);
            }
            String key = indexKey(stored);
            if (key != null && newState.equals(map.get(stored))) {
                index.put(key, stored);
            }
        }
        if (!java.util.Objects.equals(existing, newState)) {
            record(pathAttributes, existing == null ? null : oldAttributes, existing, stored, newState);
        }
    }

    // ---- watches -----------------------------------------------------------------------------------------------

    @Override
    public long requestResourceVersion() {
        resourceVersion = super.requestResourceVersion();
        return resourceVersion;
    }

    /**
     * Keeps a stored change in the watch cache and offers it to the open watches of its resource. A deletion gets a
     * resource version of its own, as etcd's delete revision.
     */
    private void record(AttributeSet pathAttributes, AttributeSet oldKey, String oldObject, AttributeSet newKey,
                        String newObject) {
        long version = newObject == null ? requestResourceVersion()
                : parse(newObject).path("metadata").path("resourceVersion").asLong(resourceVersion);
        String group = value(pathAttributes, "api");
        String resource = (group == null ? "" : group) + "/" + value(pathAttributes, "plural");
        WatchCache.Change change = new WatchCache.Change(version, oldKey, oldObject, newKey, newObject,
                watchCache.now());
        watchCache.add(resource, change);
        java.util.Set<Watcher> open = watchers.get(resource);
        if (open != null) {
            for (Watcher w : open) {
                w.offer(change);
            }
        }
        change.forgetParsed();
    }

    /**
     * Opens a watch: under the store's lock, its first events and its registration, so no change falls between
     * them. The first events are the current state as ADDED events (no resourceVersion, "0", or
     * sendInitialEvents=true, then a bookmark marking their end), or the changes after the given resourceVersion
     * from the watch cache; a version the cache no longer reaches ends the watch with 410 Expired, one newer than
     * any the server gave out with 504 "Too large resource version" (cacher.go Watch, watch_cache.go
     * waitUntilFreshAndBlock, without the 3 s wait: here a newer version can only come from another process).
     */
    synchronized Watcher watch(WatchRequest request, Watcher.Sink sink) {
        Watcher watcher = new Watcher(request, getKey(request.mockPath()), sink, clock);
        if (request.startsWithState()) {
            List<Map.Entry<AttributeSet, String>> state = new ArrayList<>();
            for (Map.Entry<AttributeSet, String> entry : map.entrySet()) {
                if (watcher.selects(entry.getKey(), entry.getValue())) {
                    state.add(entry);
                }
            }
            state.sort(Comparator.comparing((Map.Entry<AttributeSet, String> e) -> value(e.getKey(), "namespace"),
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(e -> value(e.getKey(), "name"),
                    Comparator.nullsFirst(Comparator.naturalOrder())));
            state.forEach(e -> watcher.added(e.getValue()));
            if (request.sendInitialEvents() && request.allowWatchBookmarks()) {
                watcher.bookmark(resourceVersion, true);
            }
        } else {
            long from = Long.parseLong(request.resourceVersion());
            if (from > resourceVersion) {
                watcher.fail(504, "Timeout", "Too large resource version: " + from + ", current: " + resourceVersion);
                return watcher;
            }
            try {
                watchCache.since(request.resource(), from).forEach(watcher::offer);
            } catch (WatchCache.Expired e) {
                watcher.fail(410, "Expired", e.getMessage());
                return watcher;
            }
        }
        if (!watcher.isClosed()) {
            watchers.computeIfAbsent(request.resource(), r -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                    .add(watcher);
        }
        return watcher;
    }

    /** Sends a watch a bookmark at the newest resource version (under the lock: no later change was sent before). */
    synchronized void bookmark(Watcher watcher) {
        watcher.bookmark(resourceVersion, false);
    }

    /** Forgets a watch that ended (its client went away, or the server ended it); any thread. */
    void forget(Watcher watcher) {
        java.util.Set<Watcher> open = watchers.get(watcher.request.resource());
        if (open != null) {
            open.remove(watcher);
        }
    }

    /** Ends a watch from the server's side (its deadline), after any change being sent to it. */
    synchronized void end(Watcher watcher) {
        forget(watcher);
        watcher.close();
    }

    /** Ends every open watch (the server stops). */
    synchronized void endWatches() {
        watchers.values().forEach(open -> open.forEach(Watcher::close));
        watchers.clear();
    }

    private io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor getKubernetesAttributesExtractor() {
        return (io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor) getAttributeExtractor();
    }

    private static String indexKey(AttributeSet attributes) {
        String plural = value(attributes, "plural");
        String name = value(attributes, "name");
        if (plural == null || name == null) {
            return null;
        }
        String namespace = value(attributes, "namespace");
        return plural + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }

    private static String value(AttributeSet attributes, String key) {
        var attribute = attributes.getAttribute(key);
        return attribute == null || attribute.getValues().isEmpty() ? null
                : String.valueOf(attribute.getValues().iterator().next());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setBody(body);
    }

    private static MockResponse withJsonContentType(MockResponse response) {
        if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }

    private static JsonNode withoutMetadataAndStatus(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        copy.remove("metadata");
        copy.remove("status");
        return copy;
    }

    private static void copyField(JsonNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field).deepCopy());
        } else {
            to.remove(field);
        }
    }

    private static GenericKubernetesResource resource(String json) {
        return Serialization.unmarshal(json, GenericKubernetesResource.class);
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new ApiError(400, "BadRequest", "the body is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<String, String> query(String queryString) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : queryString.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(k, v);
            }
        }
        return query;
    }

    private static String withQueryParameter(String fullPath, String parameter, String selector) {
        int q = fullPath.indexOf('?');
        StringBuilder rebuilt = new StringBuilder(fullPath.substring(0, q));
        char sep = '?';
        for (String pair : fullPath.substring(q + 1).split("&")) {
            if (pair.startsWith(parameter + "=")) {
                if (selector.isEmpty()) {
                    continue;
                }
                pair = parameter + "=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
            }
            rebuilt.append(sep).append(pair);
            sep = '&';
        }
        return rebuilt.toString();
    }
}
