package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Core/v1 Events on the objects an incident acts on (the pod, the StatefulSet, the node), so {@code kubectl describe}
 * tells the story where people already look. Best effort, and off the caller's thread: an Event that cannot be
 * written is logged, and a failover never waits for one. Each Event is new, named as client-go's recorder names them
 * ({@code <object>.<hex nanoseconds>}, {@code tools/record/event.go}); Events about a Node go to namespace
 * {@code default}, as the kubelet's do.
 */
@Singleton
public class KubernetesEvents {
    public static final String REPORTING_COMPONENT = "pgwarden-failover-service";
    private static final Logger LOG = Logger.getLogger(KubernetesEvents.class);
    private static final Map<String, String> API_VERSIONS = Map.of("Node", "v1", "Pod", "v1",
            "PersistentVolumeClaim", "v1", "StatefulSet", "apps/v1");

    public enum Type {
        NORMAL("Normal"), WARNING("Warning");

        final String value;

        Type(String value) {
            this.value = value;
        }
    }

    /** The object an Event is about; {@code namespace} is null for a Node. */
    public record InvolvedObject(String kind, String namespace, String name, String uid) {
        public static InvolvedObject node(String name, String uid) {
            return new InvolvedObject("Node", null, name, uid);
        }
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance = Optional.ofNullable(System.getenv("HOSTNAME")).orElse(REPORTING_COMPONENT);
    /** One writer keeps the Events of an incident in order; a full queue drops the newest, with a log line. */
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000), r -> {
                Thread t = new Thread(r, "kubernetes-events");
                t.setDaemon(true);
                return t;
            });

    public KubernetesEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void record(InvolvedObject object, String reason, String message, Type type) {
        Event event = event(object, reason, message, type, clock.instant());
        try {
            writer.execute(() -> write(event));
        } catch (RejectedExecutionException e) {
            LOG.warnf("Event %s %s on %s %s not recorded: too many waiting", type.value, reason, object.kind(),
                    object.name());
        }
    }

    private void write(Event event) {
        try {
            client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            LOG.warnf("Event %s %s on %s %s not recorded: %s", event.getType(), event.getReason(),
                    event.getInvolvedObject().getKind(), event.getInvolvedObject().getName(), e.getMessage());
        }
    }

    Event event(InvolvedObject object, String reason, String message, Type type, Instant now) {
        String namespace = object.namespace() == null ? "default" : object.namespace();
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return new EventBuilder().withNewMetadata().withName(object.name() + "." + Long.toHexString(nanos))
                .withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion(API_VERSIONS.get(object.kind())).withKind(object.kind())
                .withNamespace(object.namespace()).withName(object.name()).withUid(object.uid()).endInvolvedObject()
                .withReason(reason).withMessage(message).withType(type.value).withCount(1)
                .withFirstTimestamp(at).withLastTimestamp(at)
                .withNewSource().withComponent(REPORTING_COMPONENT).endSource()
                .withReportingComponent(REPORTING_COMPONENT).withReportingInstance(instance).build();
    }

    @PreDestroy
    void stop() {
        writer.shutdown();
    }
}
