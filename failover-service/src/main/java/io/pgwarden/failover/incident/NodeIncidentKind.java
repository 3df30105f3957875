package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.failover.decide.IncidentAction;
import io.pgwarden.failover.decide.IncidentDecider;
import io.pgwarden.failover.decide.IncidentView;
import io.pgwarden.failover.fence.FenceDriver;
import io.pgwarden.failover.fence.FenceDrivers;
import io.pgwarden.failover.fence.FenceTargets;
import io.pgwarden.operations.core.DatabaseLocks;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A node's incident as an operation: {@link IncidentWorld} observes, {@link IncidentDecider} decides, and this
 * applies its actions through Kubernetes, the fence drivers and the databases' locks.
 */
@Singleton
public class NodeIncidentKind implements OperationKind<NodeIncident, IncidentView, IncidentAction> {
    private static final Logger LOG = Logger.getLogger(NodeIncidentKind.class);

    private final IncidentWorld world;
    private final KubernetesClient client;
    private final FenceDrivers fences;
    private final DatabaseLocks locks;
    private final KubernetesEvents events;
    private final OutOfServiceTaint taint;
    private final IncidentConfig config;
    private final MeterRegistry meters;

    NodeIncidentKind(IncidentWorld world, KubernetesClient client, FenceDrivers fences, DatabaseLocks locks,
                     KubernetesEvents events, OutOfServiceTaint taint, IncidentConfig config, MeterRegistry meters) {
        this.taint = taint;
        this.world = world;
        this.client = client;
        this.fences = fences;
        this.locks = locks;
        this.events = events;
        this.config = config;
        this.meters = meters;
    }

    @Override
    public Class<NodeIncident> commandClass() {
        return NodeIncident.class;
    }

    @Override
    public Duration timeout() {
        return config.timeout();
    }

    @Override
    public IncidentView observe(NodeIncident incident, Operation operation) throws Exception {
        return world.observe(incident, operation);
    }

    @Override
    public Decision<IncidentAction> decide(Operation operation, NodeIncident incident, IncidentView observed,
                                           Instant now) {
        Decision<IncidentAction> d = IncidentDecider.decide(operation, incident, observed, now, config.settings());
        if (d.phase() != null && !d.phase().equals(operation.phase()) && !Operation.START.equals(operation.phase())) {
            measure(operation, d.phase(), now);
        }
        return d;
    }

    @Override
    public void apply(IncidentAction action, NodeIncident incident, Operation op) throws Exception {
        if (action instanceof IncidentAction.TakeLock l) {
            locks.take(l.namespace(), l.statefulSet(), op, locks.read(l.namespace(), l.statefulSet()));
        } else if (action instanceof IncidentAction.ReleaseLock l) {
            locks.release(l.namespace(), l.statefulSet(), op.id());
        } else if (action instanceof IncidentAction.Fence f) {
            meters.counter("pgwarden.fence.attempts", "driver", f.driver()).increment();
            try {
                driver(f.driver()).fence(target(f.node()));
            } catch (Exception e) {
                meters.counter("pgwarden.fence.failures", "driver", f.driver()).increment();
                throw e;
            }
        } else if (action instanceof IncidentAction.Unfence u) {
            if (u.driver() != null) {
                driver(u.driver()).unfence(target(u.node()), false);
            }
        } else if (action instanceof IncidentAction.TaintOutOfService t) {
            taint.add(t.node(), world.takeLastRead(t.node()).orElse(null));
        } else if (action instanceof IncidentAction.DeleteVolumeAttachment va) {
            client.storage().v1().volumeAttachments().withName(va.name()).delete();
        } else if (action instanceof IncidentAction.ForceDeletePod p) {
            forceDelete(p);
        } else if (action instanceof IncidentAction.Announce a) {
            events.record(new KubernetesEvents.InvolvedObject(a.kind(), a.namespace(), a.name(), null), a.reason(),
                    a.message(), a.warning() ? KubernetesEvents.Type.WARNING : KubernetesEvents.Type.NORMAL);
        }
    }

    private FenceDriver driver(String name) {
        return fences.byName(name).orElseThrow(() -> new IllegalStateException("no fence driver " + name));
    }

    private io.pgwarden.failover.fence.FenceTarget target(String node) {
        Node n = client.nodes().withName(node).get();
        if (n == null) {
            throw new IllegalStateException("node " + node + " is gone");
        }
        return FenceTargets.of(n);
    }

    /**
     * Deletes the pod with grace period 0 and its UID as a precondition (DeleteOptions.preconditions.uid): if the
     * StatefulSet controller already made a new pod of that name, the API server refuses with 409 and nothing of
     * the new one is touched. Fabric8's DSL has no UID precondition, hence the raw request.
     */
    private void forceDelete(IncidentAction.ForceDeletePod p) throws Exception {
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + p.namespace()
                + "/pods/" + p.pod();
        String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
                + "\"preconditions\":{\"uid\":\"" + p.uid() + "\"}}";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .delete("application/json", body).build();
        HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class)
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        switch (response.code()) {
            case 200, 202 -> LOG.infof("force-deleted pod %s/%s (uid %s)", p.namespace(), p.pod(), p.uid());
            case 404 -> LOG.infof("pod %s/%s was already gone", p.namespace(), p.pod());
            case 409 -> LOG.infof("pod %s/%s is no longer uid %s: left alone", p.namespace(), p.pod(), p.uid());
            default -> throw new IllegalStateException("force delete of pod " + p.namespace() + "/" + p.pod()
                    + " answered " + response.code() + ": " + response.body());
        }
    }

    /** The time spent in the phase the incident leaves, and the outcome once it reaches a final phase. */
    private void measure(Operation op, String next, Instant now) {
        Map<String, String> data = op.data();
        String since = data.get(IncidentDecider.AT + op.phase());
        if (since != null) {
            Timer.builder("pgwarden.incident.phase").description("Time an incident spent in each phase")
                    .tag("phase", op.phase()).publishPercentileHistogram().register(meters)
                    .record(Duration.between(Instant.parse(since), now));
        }
        if (List.of(IncidentDecider.RECOVERED, IncidentDecider.ABORTED, IncidentDecider.FAILED).contains(next)) {
            Counter.builder("pgwarden.incidents").description("Incidents by outcome").tag("outcome", next)
                    .register(meters).increment();
        }
    }
}
