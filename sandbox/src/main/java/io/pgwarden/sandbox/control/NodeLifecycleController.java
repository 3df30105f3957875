package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * kube-controller-manager's node lifecycle controller ({@code pkg/controller/nodelifecycle/node_lifecycle_controller.go}):
 * <ul>
 * <li>monitorNodeHealth: a node whose lease is older than node-monitor-grace-period gets its conditions Unknown
 * ("Kubelet stopped posting node status."), and the pods of a node that is not Ready get Ready=False
 * (MarkPodsNotReady);
 * <li>processTaintBaseEviction and doNoExecuteTaintingPass: a node seen Ready=Unknown (or False, as the kubelet posts
 * when its container runtime is down) is queued for the {@code node.kubernetes.io/unreachable} (or
 * {@code not-ready}) NoExecute taint; each zone's queue is rate limited ({@code --node-eviction-rate}); the taints go
 * when the node is Ready again;
 * <li>handleDisruption: a zone with no Ready node is fully disrupted, one with more than two and at least
 * {@code --unhealthy-zone-threshold} (55 %) of its nodes not Ready partially disrupted (tainting at
 * {@code --secondary-node-eviction-rate} above {@code --large-cluster-size-threshold} nodes, else not at all); when
 * every zone is fully disrupted, the controller assumes its own connectivity is the problem: it removes every
 * unreachable/not-ready NoExecute taint and taints nothing until some node is Ready again, and then gives every node a
 * fresh grace period;
 * <li>doNoScheduleTaintingPass: NoSchedule taints mirror the node's conditions (not-ready, unreachable, pressures) and
 * {@code spec.unschedulable}; the scheduler filters on them.
 * </ul>
 * The pods' eviction is the {@link TaintEvictionController}'s; pod GC is the {@link PodGarbageCollector}'s.
 */
public final class NodeLifecycleController {
    /** {@code --unhealthy-zone-threshold}. */
    static final double UNHEALTHY_ZONE_THRESHOLD = 0.55;
    /** {@code --large-cluster-size-threshold}. */
    static final int LARGE_CLUSTER_SIZE_THRESHOLD = 50;
    static final String TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    /** nodeConditionToTaintKeyStatusMap: which condition, in which status, means which NoSchedule taint. */
    private static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
            "Ready", Map.of("False", Names.TAINT_NOT_READY, "Unknown", Names.TAINT_UNREACHABLE),
            "MemoryPressure", Map.of("True", "node.kubernetes.io/memory-pressure"),
            "DiskPressure", Map.of("True", "node.kubernetes.io/disk-pressure"),
            "NetworkUnavailable", Map.of("True", "node.kubernetes.io/network-unavailable"),
            "PIDPressure", Map.of("True", "node.kubernetes.io/pid-pressure"));

    enum ZoneState { INITIAL, NORMAL, PARTIAL_DISRUPTION, FULL_DISRUPTION }

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration gracePeriod;
    private final Duration evictionInterval;
    private final Duration secondaryEvictionInterval;
    private final Timeline timeline;
    private final Map<String, ZoneState> zoneStates = new HashMap<>();
    private final Map<String, TaintQueue> zoneTainters = new HashMap<>();
    /** Leaving full disruption gives every node a fresh grace period, as handleDisruption resets probe timestamps. */
    private Instant disruptionEndedAt = Instant.EPOCH;

    public NodeLifecycleController(KubernetesClient client, Clock clock, Duration gracePeriod,
                                   Duration evictionInterval, Duration secondaryEvictionInterval, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.gracePeriod = gracePeriod;
        this.evictionInterval = evictionInterval;
        this.secondaryEvictionInterval = secondaryEvictionInterval;
        this.timeline = timeline;
    }

    /** One monitorNodeHealth pass, then the NoExecute tainting pass. */
    public void reconcile(ClusterView view) {
        Instant now = clock.instant();
        Map<String, List<Boolean>> readyByZone = new HashMap<>();
        for (Node node : view.nodes().values()) {
            String name = node.getMetadata().getName();
            String zone = zone(node);
            zoneStates.putIfAbsent(zone, ZoneState.INITIAL);
            TaintQueue tainter = zoneTainters.computeIfAbsent(zone, z -> new TaintQueue(evictionInterval));
            String observed = readyStatus(node);
            String current = observed;
            Instant probed = latest(lastProbe(view.leases().get(name), node), disruptionEndedAt);
            if (now.isAfter(probed.plus(gracePeriod)) && !"Unknown".equals(observed)) {
                markUnknown(name, now);
                current = "Unknown";
            }
            readyByZone.computeIfAbsent(zone, z -> new ArrayList<>()).add("True".equals(current));
            // As processTaintBaseEviction, on the condition observed at the start of the pass.
            switch (observed) {
                case "False" -> queueOrSwap(node, tainter, Names.TAINT_NOT_READY, Names.TAINT_UNREACHABLE);
                case "Unknown" -> queueOrSwap(node, tainter, Names.TAINT_UNREACHABLE, Names.TAINT_NOT_READY);
                default -> markReachable(node, tainter);
            }
            if (!"True".equals(current)) {
                markPodsNotReady(view.podsOn(name));
            }
        }
        handleDisruption(readyByZone, view.nodes().values(), now);
        zoneTainters.values().forEach(q -> q.taint(now, this::taintNoExecute));
    }

    /** The zone a node counts in: topology.kubernetes.io/region and zone (none: one zone), as GetZoneKey. */
    static String zone(Node node) {
        Map<String, String> labels = Optional.ofNullable(node.getMetadata().getLabels()).orElse(Map.of());
        String region = labels.getOrDefault("topology.kubernetes.io/region", "");
        String zone = labels.getOrDefault("topology.kubernetes.io/zone", "");
        return region.isEmpty() && zone.isEmpty() ? "" : region + ":\0:" + zone;
    }

    /** ComputeZoneState: no Ready node is full disruption; more than two and the threshold not Ready is partial. */
    static ZoneState zoneState(int ready, int notReady) {
        if (ready == 0 && notReady > 0) {
            return ZoneState.FULL_DISRUPTION;
        }
        if (notReady > 2 && (double) notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) {
            return ZoneState.PARTIAL_DISRUPTION;
        }
        return ZoneState.NORMAL;
    }

    /**
     * setLimiterInZone: the interval between two NoExecute taints in a zone of the given state and size; empty when
     * the zone taints nothing (ReducedQPSFunc of a small cluster).
     */
    static Optional<Duration> taintInterval(ZoneState state, int zoneSize, Duration primary, Duration secondary) {
        if (state == ZoneState.PARTIAL_DISRUPTION) {
            return zoneSize > LARGE_CLUSTER_SIZE_THRESHOLD ? Optional.of(secondary) : Optional.empty();
        }
        return Optional.of(primary); // NORMAL, and FULL_DISRUPTION of one zone while others are healthy (HealthyQPSFunc)
    }

    private void handleDisruption(Map<String, List<Boolean>> readyByZone, Collection<Node> nodes, Instant now) {
        zoneStates.keySet().retainAll(readyByZone.keySet());
        Map<String, ZoneState> newStates = new HashMap<>();
        readyByZone.forEach((zone, ready) -> {
            int up = (int) ready.stream().filter(r -> r).count();
            newStates.put(zone, zoneState(up, ready.size() - up));
        });
        boolean allAreFullyDisrupted = newStates.values().stream().allMatch(s -> s == ZoneState.FULL_DISRUPTION);
        boolean allWereFullyDisrupted = zoneStates.values().stream().allMatch(s -> s == ZoneState.FULL_DISRUPTION);
        if (allAreFullyDisrupted && allWereFullyDisrupted) {
            return;
        }
        if (allAreFullyDisrupted) {
            for (Node node : nodes) {
                markReachable(node, zoneTainters.get(zone(node)));
            }
            zoneStates.keySet().forEach(zone -> {
                zoneTainters.get(zone).swap(Optional.empty(), now);
                zoneStates.put(zone, ZoneState.FULL_DISRUPTION);
            });
            timeline.record("cluster", "node-lifecycle", "FullDisruption (no node Ready: no NoExecute taints)");
            return;
        }
        if (allWereFullyDisrupted && !zoneStates.isEmpty()) {
            disruptionEndedAt = now;
            timeline.record("cluster", "node-lifecycle", "DisruptionEnded");
        }
        newStates.forEach((zone, state) -> {
            if (allWereFullyDisrupted || zoneStates.get(zone) != state) {
                zoneTainters.get(zone).swap(taintInterval(state, readyByZone.get(zone).size(), evictionInterval,
                        secondaryEvictionInterval), now);
                zoneStates.put(zone, state);
            }
        });
    }

    /** Swaps at once an opposite taint the node already has, as processTaintBaseEviction; else queues the node. */
    private void queueOrSwap(Node node, TaintQueue tainter, String taint, String opposite) {
        if (hasTaint(node, opposite, "NoExecute")) {
            swapTaints(node.getMetadata().getName(), List.of(noExecute(taint)), List.of(opposite), "NoExecute");
        } else if (!hasTaint(node, taint, "NoExecute")) {
            tainter.add(node.getMetadata().getName());
        }
    }

    private void markReachable(Node node, TaintQueue tainter) {
        String name = node.getMetadata().getName();
        if (hasTaint(node, Names.TAINT_UNREACHABLE, "NoExecute") || hasTaint(node, Names.TAINT_NOT_READY, "NoExecute")) {
            swapTaints(name, List.of(), List.of(Names.TAINT_UNREACHABLE, Names.TAINT_NOT_READY), "NoExecute");
        }
        tainter.remove(name);
    }

    /** The tainting pass's work for one queued node: the taint its Ready condition calls for now, if any. */
    private void taintNoExecute(String name) {
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            return;
        }
        switch (readyStatus(node)) {
            case "False" -> swapTaints(name, List.of(noExecute(Names.TAINT_NOT_READY)), List.of(Names.TAINT_UNREACHABLE),
                    "NoExecute");
            case "Unknown" -> swapTaints(name, List.of(noExecute(Names.TAINT_UNREACHABLE)),
                    List.of(Names.TAINT_NOT_READY), "NoExecute");
            default -> {
                // Ready again meanwhile: nothing to taint.
            }
        }
    }

    private Taint noExecute(String key) {
        return new TaintBuilder().withKey(key).withEffect("NoExecute")
                .withTimeAdded(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    /** doNoScheduleTaintingPass over every node: the NoSchedule taints that mirror its conditions. */
    public void taintByConditions(ClusterView view) {
        for (Node node : view.nodes().values()) {
            Set<String> wanted = noScheduleTaints(node);
            Set<String> present = new LinkedHashSet<>();
            Optional.ofNullable(node.getSpec().getTaints()).orElse(List.of()).stream()
                    .filter(t -> "NoSchedule".equals(t.getEffect()) && isConditionTaint(t.getKey()))
                    .forEach(t -> present.add(t.getKey()));
            if (wanted.equals(present)) {
                continue;
            }
            String at = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            List<Taint> add = wanted.stream().filter(k -> !present.contains(k))
                    .map(k -> new TaintBuilder().withKey(k).withEffect("NoSchedule").withTimeAdded(at).build()).toList();
            List<String> remove = present.stream().filter(k -> !wanted.contains(k)).toList();
            swapTaints(node.getMetadata().getName(), add, remove, "NoSchedule");
        }
    }

    /** The NoSchedule taint keys a node's conditions and spec.unschedulable call for. */
    static Set<String> noScheduleTaints(Node node) {
        Set<String> keys = new LinkedHashSet<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                Optional.ofNullable(CONDITION_TAINTS.get(c.getType())).map(m -> m.get(c.getStatus()))
                        .ifPresent(keys::add);
            }
        }
        if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            keys.add(TAINT_UNSCHEDULABLE);
        }
        return keys;
    }

    private static boolean isConditionTaint(String key) {
        return TAINT_UNSCHEDULABLE.equals(key)
                || CONDITION_TAINTS.values().stream().anyMatch(m -> m.containsValue(key));
    }

    /** SwapNodeControllerTaint: adds and removes the controller's taints of one effect in one update. */
    private void swapTaints(String name, List<Taint> add, List<String> removeKeys, String effect) {
        client.nodes().withName(name).edit(n -> {
            List<Taint> taints = new ArrayList<>(Optional.ofNullable(n.getSpec().getTaints()).orElse(List.of()));
            taints.removeIf(t -> effect.equals(t.getEffect()) && removeKeys.contains(t.getKey()));
            for (Taint t : add) {
                if (taints.stream().noneMatch(o -> effect.equals(o.getEffect()) && t.getKey().equals(o.getKey()))) {
                    taints.add(t);
                }
            }
            n.getSpec().setTaints(taints);
            return n;
        });
        add.forEach(t -> timeline.record("node", name, "Tainted " + t.getKey() + ":" + effect));
        removeKeys.forEach(k -> timeline.record("node", name, "Untainted " + k + ":" + effect));
    }

    /** The node health signal: the lease's renew time, or the node's creation before any lease. */
    private static Instant lastProbe(Lease lease, Node node) {
        if (lease == null || lease.getSpec().getRenewTime() == null) {
            return Instant.parse(node.getMetadata().getCreationTimestamp());
        }
        return lease.getSpec().getRenewTime().toInstant();
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static String readyStatus(Node node) {
        return ClusterView.ready(node).map(NodeCondition::getStatus).orElse("Unknown");
    }

    private void markUnknown(String name, Instant now) {
        String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
        client.nodes().withName(name).editStatus(n -> {
            for (NodeCondition c : n.getStatus().getConditions()) {
                if (!"NetworkUnavailable".equals(c.getType()) && !"Unknown".equals(c.getStatus())) {
                    c.setStatus("Unknown");
                    c.setReason("NodeStatusUnknown");
                    c.setMessage("Kubelet stopped posting node status.");
                    c.setLastTransitionTime(at);
                }
            }
            return n;
        });
        timeline.record("node", name, "NotReady");
    }

    private void markPodsNotReady(List<Pod> pods) {
        for (Pod pod : pods) {
            boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus()
                    .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (!ready) {
                continue;
            }
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .editStatus(p -> {
                        for (PodCondition c : p.getStatus().getConditions()) {
                            if ("Ready".equals(c.getType())) {
                                c.setStatus("False");
                            }
                        }
                        p.getStatus().getContainerStatuses().forEach(cs -> cs.setReady(false));
                        return p;
                    });
            timeline.record("pod", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                    "NotReady (node not ready)");
        }
    }

    static boolean hasTaint(Node node, String key) {
        return node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> key.equals(t.getKey()));
    }

    static boolean hasTaint(Node node, String key, String effect) {
        return node.getSpec().getTaints() != null && node.getSpec().getTaints().stream()
                .anyMatch(t -> key.equals(t.getKey()) && Objects.equals(effect, t.getEffect()));
    }
}
