package io.pgwarden.failover.incident;

import io.pgwarden.database.DatabaseWrites;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.contracts.command.NodeIncident;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.failover.decide.IncidentDecider;
import io.pgwarden.failover.decide.IncidentView;
import io.pgwarden.failover.decide.IncidentView.DatabaseSeen;
import io.pgwarden.failover.decide.IncidentView.Lock;
import io.pgwarden.failover.decide.IncidentView.PodSeen;
import io.pgwarden.failover.fence.FenceDriver;
import io.pgwarden.failover.fence.FenceDrivers;
import io.pgwarden.failover.fence.FenceTargets;
import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.failover.fence.FenceTarget;
import io.pgwarden.operations.core.DatabaseLease;
import io.pgwarden.operations.core.DatabaseLocks;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.service.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Reads what an incident decides on, fresh from the API server, the fence agent, node-watcher's feed and the lock. */
@ApplicationScoped
public class IncidentWorld {
    private static final Set<String> FENCE_ASKED = Set.of(IncidentDecider.FENCING, IncidentDecider.FENCED,
            IncidentDecider.RELEASING, IncidentDecider.ABORTED);
    private static final Set<String> VOLUMES_MATTER = Set.of(IncidentDecider.FENCED, IncidentDecider.RELEASING);
    /** Where the incident says which databases it leaves alone. */
    private static final Set<String> STOPPED_MATTERS = Set.of(Operation.START, IncidentDecider.SUSPECTED);

    private final KubernetesClient client;
    private final NodeHealthFeed feed;
    private final FailoverPause pause;
    private final Incidents incidents;
    private final FenceDrivers fences;
    private final DatabaseLocks locks;
    private final DatabaseWrites writes;
    private final IncidentConfig config;
    private final ServiceConfig service;
    private final Clock clock;
    private final Map<String, Node> lastRead = new ConcurrentHashMap<>();

    IncidentWorld(KubernetesClient client, NodeHealthFeed feed, FailoverPause pause, Incidents incidents,
                  FenceDrivers fences, DatabaseLocks locks, DatabaseWrites writes, IncidentConfig config,
                  ServiceConfig service, Clock clock) {
        this.client = client;
        this.feed = feed;
        this.pause = pause;
        this.incidents = incidents;
        this.fences = fences;
        this.locks = locks;
        this.writes = writes;
        this.config = config;
        this.service = service;
        this.clock = clock;
    }

    /**
     * The node as the last observation read it, taken once: a write that follows the observation in the same turn
     * starts from it instead of reading the node again (its resourceVersion still guards the write).
     */
    Optional<Node> takeLastRead(String node) {
        return Optional.ofNullable(lastRead.remove(node));
    }

    IncidentView observe(NodeIncident incident, Operation op) throws Exception {
        String name = incident.node();
        Instant now = clock.instant();
        Node node = client.nodes().withName(name).get();
        if (node != null) {
            lastRead.put(name, node);
        }
        Lease lease = client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).withName(name).get();
        Optional<NodeHealthChanged> word = feed.latest(name);
        Map<String, String> labels = node == null || node.getMetadata().getLabels() == null ? Map.of()
                : node.getMetadata().getLabels();
        boolean outOfService = node != null && node.getSpec().getTaints() != null && node.getSpec().getTaints()
                .stream().anyMatch(t -> Names.TAINT_OUT_OF_SERVICE.equals(t.getKey()));
        IncidentView.NodeSeen nodeSeen = new IncidentView.NodeSeen(name, node != null,
                lease == null || lease.getSpec().getRenewTime() == null ? null
                        : lease.getSpec().getRenewTime().toInstant(),
                word.map(NodeHealthChanged::liveness), word.map(NodeHealthChanged::powerState),
                "true".equals(labels.get(Names.FAILOVER_EXCLUDED_LABEL)), outOfService,
                Optional.ofNullable(lease == null ? null : lease.getSpec().getLeaseDurationSeconds())
                        .map(Duration::ofSeconds));

        NodeHealthFeed.Counts counts = feed.counts();
        IncidentView.Rails rails = new IncidentView.Rails(pause.pausedBecause(), counts.unhealthy(), counts.known(),
                feed.heardAt(), incidents.fencesStartedSince(now.minus(config.fenceRateWindow()), op.id()),
                settling(op, now) ? aliveRenewals(name) : Map.of());

        return new IncidentView(nodeSeen, rails, fence(node, op), databases(name, op, now));
    }

    /** Whether the storm guard may still be waiting: only then are the other nodes' leases worth a list. */
    private boolean settling(Operation op, Instant now) {
        String suspected = op.data().get(IncidentDecider.AT + IncidentDecider.SUSPECTED);
        return IncidentDecider.CONFIRMED.equals(op.phase()) && suspected != null
                && now.isBefore(Instant.parse(suspected).plus(config.stormSettle()));
    }

    /** The lease renewals of the nodes node-watcher calls alive, other than the incident's. */
    private Map<String, Instant> aliveRenewals(String incidentNode) {
        Set<String> alive = feed.aliveNodes();
        Map<String, Instant> renewals = new HashMap<>();
        for (Lease lease : client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).list().getItems()) {
            String node = lease.getMetadata().getName();
            if (!node.equals(incidentNode) && alive.contains(node) && lease.getSpec().getRenewTime() != null) {
                renewals.put(node, lease.getSpec().getRenewTime().toInstant());
            }
        }
        return renewals;
    }

    private IncidentView.FenceSeen fence(Node node, Operation op) throws Exception {
        if (node == null) {
            return new IncidentView.FenceSeen(Optional.empty(), Optional.of("the Node object is gone"),
                    FenceStatus.of(FenceStatus.State.NOT_FENCED, "no node"), false);
        }
        FenceTarget target = FenceTargets.of(node);
        String chosen = op.data().get(IncidentDecider.FENCE_DRIVER);
        Optional<FenceDriver> driver;
        Optional<String> problem;
        if (chosen != null) {
            driver = fences.byName(chosen);
            problem = driver.isEmpty() ? Optional.of("fence driver " + chosen + " is no longer configured")
                    : Optional.empty();
        } else {
            // A driver that cannot work for this node (no BMC address, no storage address) is refused before it is
            // asked, with its reason, as when there is none: the incident fails at confirmed and releases nothing.
            FenceDrivers.Choice choice = fences.forNode(target);
            problem = choice.driver().isEmpty() ? Optional.of(choice.reason())
                    : choice.driver().get().misconfiguration(target);
            driver = problem.isEmpty() ? choice.driver() : Optional.empty();
        }
        FenceStatus status = chosen != null && driver.isPresent() && FENCE_ASKED.contains(op.phase())
                ? status(driver.get(), target, op)
                : FenceStatus.of(FenceStatus.State.NOT_FENCED, "no fence asked for yet");
        return new IncidentView.FenceSeen(driver.map(FenceDriver::name), problem, status,
                driver.map(FenceDriver::taintFences).orElse(false));
    }

    /**
     * The fence as its agent reports it. While fencing, an agent that does not answer (a BMC down or unreachable)
     * has not confirmed the fence: the decider's fence timeout and attempts bound the wait, and the incident fails
     * with the reason, as a fence agent gives up on a BMC that does not answer within its timeouts. Once the fence was confirmed, a reading that
     * fails stops the incident until the agent answers again (the engine retries), so nothing is released on a fence
     * nobody can see.
     */
    private static FenceStatus status(FenceDriver driver, FenceTarget target, Operation op) throws Exception {
        try {
            return driver.status(target);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (!IncidentDecider.FENCING.equals(op.phase())) {
                throw e;
            }
            return FenceStatus.of(FenceStatus.State.PENDING, driver.name() + " did not answer: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    private List<DatabaseSeen> databases(String node, Operation op, Instant now) throws Exception {
        Map<String, Pod> onNode = new LinkedHashMap<>();
        for (Pod pod : client.pods().inAnyNamespace().withLabel(Names.MANAGED_LABEL, "true")
                .withField("spec.nodeName", node).list().getItems()) {
            owner(pod).ifPresent(sts -> onNode.put(pod.getMetadata().getNamespace() + "/" + sts, pod));
        }
        Set<String> keys = new LinkedHashSet<>(onNode.keySet());
        Set<String> stopped = Set.of();
        if (STOPPED_MATTERS.contains(op.phase())) {
            stopped = stoppedOn(node);
            keys.addAll(stopped);
        }
        String remembered = op.data().getOrDefault(IncidentDecider.DATABASES, "");
        if (!remembered.isEmpty()) {
            keys.addAll(List.of(remembered.split(",")));
        }
        List<DatabaseSeen> seen = new ArrayList<>();
        for (String key : keys) {
            String[] ns = key.split("/", 2);
            StatefulSet sts = client.apps().statefulSets().inNamespace(ns[0]).withName(ns[1]).get();
            int replicas = sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
            boolean disabled = sts != null && sts.getMetadata().getAnnotations() != null
                    && "disabled".equals(sts.getMetadata().getAnnotations().get(Names.FAILOVER_ANNOTATION));
            Pod current = client.pods().inNamespace(ns[0]).withName(ns[1] + "-0").get();
            Optional<PodSeen> currentSeen = Optional.ofNullable(current).map(IncidentWorld::seen);
            List<String> attached = VOLUMES_MATTER.contains(op.phase()) && sts != null ? attachmentsOnNode(sts, node)
                    : List.of();
            Optional<IncidentView.WriteCheck> write = Optional.empty();
            if (IncidentDecider.RECOVERING.equals(op.phase()) && currentSeen.isPresent() && currentSeen.get().ready()
                    && !node.equals(currentSeen.get().node())) {
                write = Optional.of(new IncidentView.WriteCheck(writes.tryWrite(ns[0], ns[1])));
            }
            seen.add(new DatabaseSeen(ns[0], ns[1], replicas, disabled,
                    Optional.ofNullable(onNode.get(key)).map(IncidentWorld::seen), currentSeen, attached,
                    lock(ns[0], ns[1], op, now), write, stopped.contains(key)));
        }
        return seen;
    }

    /**
     * The managed databases pgwarden stopped while their pod ran on node: replicas 0, annotated with the count to start
     * again and the node (StopDecider).
     */
    private Set<String> stoppedOn(String node) {
        Set<String> stopped = new LinkedHashSet<>();
        for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().withLabel(Names.MANAGED_LABEL, "true")
                .list().getItems()) {
            Map<String, String> annotations = sts.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(Names.STOPPED_REPLICAS_ANNOTATION)
                    && node.equals(annotations.get(Names.STOPPED_ON_ANNOTATION))
                    && Integer.valueOf(0).equals(sts.getSpec().getReplicas())) {
                stopped.add(sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName());
            }
        }
        return stopped;
    }

    /** The lock as the engine judges it, renewing this incident's own when a third of it has passed. */
    private Lock lock(String namespace, String statefulSet, Operation op, Instant now) throws Exception {
        Optional<DatabaseLease> lease = locks.read(namespace, statefulSet);
        if (lease.isEmpty() || lease.get().holder() == null || lease.get().holder().isEmpty()) {
            return Lock.free();
        }
        DatabaseLease l = lease.get();
        if (l.holder().equals(op.id())) {
            if (now.isAfter(l.renewedAt().plus(l.duration().dividedBy(3)))) {
                locks.renew(namespace, statefulSet, op);
            }
            return Lock.mine();
        }
        if (service.service().equals(l.service()) && incidents.isFinished(l.holder())) {
            return Lock.free();
        }
        return Lock.busy(l.describe() + (l.isExpired(now) ? " (its lease expired: its runner may be down; it resumes"
                + " and releases it, or delete Lease pgwarden-op-" + statefulSet + " once you know it is safe)" : ""));
    }

    /** The VolumeAttachments that still attach the StatefulSet's first pod's volumes to node. */
    private List<String> attachmentsOnNode(StatefulSet sts, String node) {
        String ns = sts.getMetadata().getNamespace();
        Set<String> volumes = new LinkedHashSet<>();
        for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns)
                    .withName(template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-0").get();
            if (claim != null && claim.getSpec().getVolumeName() != null) {
                volumes.add(claim.getSpec().getVolumeName());
            }
        }
        List<String> attached = new ArrayList<>();
        for (VolumeAttachment va : client.storage().v1().volumeAttachments().list().getItems()) {
            if (node.equals(va.getSpec().getNodeName())
                    && volumes.contains(va.getSpec().getSource().getPersistentVolumeName())) {
                attached.add(va.getMetadata().getName());
            }
        }
        return attached;
    }

    private static Optional<String> owner(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners == null ? Optional.empty() : owners.stream().filter(o -> "StatefulSet".equals(o.getKind()))
                .map(OwnerReference::getName).findFirst();
    }

    private static PodSeen seen(Pod pod) {
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return new PodSeen(pod.getMetadata().getName(), pod.getMetadata().getUid(), pod.getSpec().getNodeName(),
                ready && pod.getMetadata().getDeletionTimestamp() == null);
    }
}
