package io.pgwarden.failover.planned;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.pgwarden.contracts.Json;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.PlannedCommand;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.failover.decide.FailbackDecider;
import io.pgwarden.failover.decide.MoveDecider;
import io.pgwarden.failover.decide.PlannedAction;
import io.pgwarden.failover.decide.PlannedView;
import io.pgwarden.failover.decide.StartDecider;
import io.pgwarden.failover.decide.StopDecider;
import io.pgwarden.failover.incident.KubernetesEvents;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Move, failback, stop and start as operations holding the database's lock: {@link PlannedWorld} observes, the
 * command's decider decides, and this applies its actions through the Kubernetes API. A dry run takes no lock: it
 * changes nothing, so it neither waits for nor blocks another operation.
 */
public abstract class PlannedKind<C extends PlannedCommand>
        implements OperationKind<C, PlannedView, PlannedAction> {
    private static final Logger LOG = Logger.getLogger(PlannedKind.class);
    /** Keeps nulls, which a merge patch needs to remove a field ({@link Json#MAPPER} leaves them out). */
    private static final ObjectMapper PATCH = new ObjectMapper();

    private final Class<C> commandClass;
    private final PlannedWorld world;
    private final KubernetesClient client;
    private final KubernetesEvents events;
    final PlannedConfig config;

    PlannedKind(Class<C> commandClass, PlannedWorld world, KubernetesClient client, KubernetesEvents events,
                PlannedConfig config) {
        this.commandClass = commandClass;
        this.world = world;
        this.client = client;
        this.events = events;
        this.config = config;
    }

    @Override
    public Class<C> commandClass() {
        return commandClass;
    }

    @Override
    public Duration timeout() {
        return config.timeout();
    }

    @Override
    public BusyRule whenBusy() {
        return BusyRule.REJECT;
    }

    @Override
    public BusyRule whenBusy(C command) {
        return command.dryRun() ? BusyRule.NOT_A_DATABASE_OPERATION : BusyRule.REJECT;
    }

    @Override
    public PlannedView observe(C command, Operation operation) throws Exception {
        return world.observe(command.namespace(), command.cluster(), operation);
    }

    @Override
    public void apply(PlannedAction action, C command, Operation op) throws Exception {
        if (action instanceof PlannedAction.Cordon c) {
            patchNode(c.node(), null, Map.of(
                    "metadata", Map.of("annotations", Map.of(Names.CORDONED_FOR_ANNOTATION, c.forDatabase())),
                    "spec", Map.of("unschedulable", true)));
        } else if (action instanceof PlannedAction.Uncordon u) {
            uncordon(u);
        } else if (action instanceof PlannedAction.Evict e) {
            evict(e, op);
        } else if (action instanceof PlannedAction.DeletePod d) {
            delete(d);
        } else if (action instanceof PlannedAction.Scale s) {
            client.apps().statefulSets().inNamespace(s.namespace()).withName(s.statefulSet()).scale(s.replicas());
        } else if (action instanceof PlannedAction.Annotate a) {
            client.apps().statefulSets().inNamespace(a.namespace()).withName(a.statefulSet()).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    PATCH.writeValueAsString(Map.of("metadata", Map.of("annotations", a.annotations()))));
        } else if (action instanceof PlannedAction.Announce a) {
            events.record(new KubernetesEvents.InvolvedObject("StatefulSet", a.namespace(), a.statefulSet(), null),
                    a.reason(), a.message(),
                    a.warning() ? KubernetesEvents.Type.WARNING : KubernetesEvents.Type.NORMAL);
        }
    }

    /**
     * Lifts a cordon only while the node still says pgwarden made it for this database, and only on the node as read
     * (its resourceVersion makes the API server refuse the patch if someone changed the node meanwhile).
     */
    private void uncordon(PlannedAction.Uncordon u) throws Exception {
        Node node = client.nodes().withName(u.node()).get();
        Map<String, String> annotations = node == null ? null : node.getMetadata().getAnnotations();
        if (annotations == null || !u.forDatabase().equals(annotations.get(Names.CORDONED_FOR_ANNOTATION))) {
            LOG.infof("node %s no longer carries %s=%s: its cordon is not pgwarden's to lift", u.node(),
                    Names.CORDONED_FOR_ANNOTATION, u.forDatabase());
            return;
        }
        Map<String, Object> metadataAnnotations = new LinkedHashMap<>();
        metadataAnnotations.put(Names.CORDONED_FOR_ANNOTATION, null);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("unschedulable", null);
        patchNode(u.node(), node.getMetadata().getResourceVersion(), Map.of("metadata", Map.of("annotations",
                metadataAnnotations), "spec", spec));
    }

    private void patchNode(String node, String resourceVersion, Map<String, Object> patch) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(patch);
        if (resourceVersion != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) patch.get("metadata"));
            metadata.put("resourceVersion", resourceVersion);
            body.put("metadata", metadata);
        }
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), PATCH.writeValueAsString(body));
    }

    /**
     * POST pods/{name}/eviction (policy/v1), the call {@code kubectl drain} makes, with the pod's UID as a
     * precondition. A 429 is a PodDisruptionBudget refusing (kubernetes
     * {@code pkg/registry/core/pod/storage/eviction.go} answers TooManyRequests "Cannot evict pod as it would violate
     * the pod's disruption budget." with the budget in its causes): remembered for the decider, which fails the move.
     * Fabric8's {@code evict()} folds the 429 into {@code false} and loses the message, hence the raw request.
     */
    private void evict(PlannedAction.Evict e, Operation op) throws Exception {
        Map<String, Object> body = Map.of("apiVersion", "policy/v1", "kind", "Eviction",
                "metadata", Map.of("name", e.pod(), "namespace", e.namespace()),
                "deleteOptions", Map.of("preconditions", Map.of("uid", e.uid())));
        HttpResponse<String> response = send(client.getHttpClient().newHttpRequestBuilder()
                .uri(podUrl(e.namespace(), e.pod()) + "/eviction")
                .post("application/json", Json.MAPPER.writeValueAsString(body)).build());
        switch (response.code()) {
            case 200, 201 -> LOG.infof("evicted pod %s/%s (uid %s)", e.namespace(), e.pod(), e.uid());
            case 404, 409 -> LOG.infof("pod %s/%s is gone or no longer uid %s: nothing to evict", e.namespace(),
                    e.pod(), e.uid());
            case 429 -> world.evictionRefused(op, refusal(response.body()).orElseThrow(() -> new IllegalStateException(
                    "eviction of pod " + e.namespace() + "/" + e.pod() + " answered 429, to be asked again: "
                            + response.body())));
            default -> throw new IllegalStateException("eviction of pod " + e.namespace() + "/" + e.pod()
                    + " answered " + response.code() + ": " + response.body());
        }
    }

    /**
     * What a 429 says: its Status message and causes ("The disruption budget pg needs 1 healthy pods and has 1
     * currently"). Empty when the server asks to be asked again ({@code retryAfterSeconds}, as for a budget whose
     * status is older than its spec, "still being processed"): that is no refusal, and the eviction is retried.
     */
    static Optional<String> refusal(String body) {
        JsonNode status;
        try {
            status = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            return Optional.of("HTTP 429 " + body);
        }
        if (status.path("details").path("retryAfterSeconds").asInt(0) > 0) {
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder("HTTP 429 ").append(status.path("message").asText("Too Many Requests"));
        status.path("details").path("causes").forEach(c -> why.append("; ").append(c.path("message").asText()));
        return Optional.of(why.toString());
    }

    /** A graceful delete (the pod's own grace period) with its UID as a precondition. */
    private void delete(PlannedAction.DeletePod d) throws Exception {
        String body = Json.MAPPER.writeValueAsString(Map.of("kind", "DeleteOptions", "apiVersion", "v1",
                "preconditions", Map.of("uid", d.uid())));
        HttpResponse<String> response = send(client.getHttpClient().newHttpRequestBuilder()
                .uri(podUrl(d.namespace(), d.pod())).delete("application/json", body).build());
        switch (response.code()) {
            case 200, 202 -> LOG.infof("deleted pod %s/%s (uid %s)", d.namespace(), d.pod(), d.uid());
            case 404, 409 -> LOG.infof("pod %s/%s is gone or no longer uid %s: nothing to delete", d.namespace(),
                    d.pod(), d.uid());
            default -> throw new IllegalStateException("delete of pod " + d.namespace() + "/" + d.pod() + " answered "
                    + response.code() + ": " + response.body());
        }
    }

    private String podUrl(String namespace, String pod) {
        return client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + namespace + "/pods/"
                + pod;
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    }

    @Singleton
    public static class Move extends PlannedKind<MoveDatabase> {
        Move(PlannedWorld world, KubernetesClient client, KubernetesEvents events, PlannedConfig config) {
            super(MoveDatabase.class, world, client, events, config);
        }

        @Override
        public Decision<PlannedAction> decide(Operation op, MoveDatabase command, PlannedView view, Instant now) {
            return MoveDecider.decide(op, command, view, now, config.settings());
        }
    }

    @Singleton
    public static class Failback extends PlannedKind<FailbackDatabase> {
        Failback(PlannedWorld world, KubernetesClient client, KubernetesEvents events, PlannedConfig config) {
            super(FailbackDatabase.class, world, client, events, config);
        }

        @Override
        public Decision<PlannedAction> decide(Operation op, FailbackDatabase command, PlannedView view, Instant now) {
            return FailbackDecider.decide(op, command, view, now, config.settings());
        }
    }

    @Singleton
    public static class Stop extends PlannedKind<StopDatabase> {
        Stop(PlannedWorld world, KubernetesClient client, KubernetesEvents events, PlannedConfig config) {
            super(StopDatabase.class, world, client, events, config);
        }

        @Override
        public Decision<PlannedAction> decide(Operation op, StopDatabase command, PlannedView view, Instant now) {
            return StopDecider.decide(op, command, view, now, config.settings());
        }
    }

    @Singleton
    public static class Start extends PlannedKind<StartDatabase> {
        Start(PlannedWorld world, KubernetesClient client, KubernetesEvents events, PlannedConfig config) {
            super(StartDatabase.class, world, client, events, config);
        }

        @Override
        public Decision<PlannedAction> decide(Operation op, StartDatabase command, PlannedView view, Instant now) {
            return StartDecider.decide(op, command, view, now, config.settings());
        }
    }
}
