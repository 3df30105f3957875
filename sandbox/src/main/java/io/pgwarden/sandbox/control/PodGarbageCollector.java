package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-controller-manager's pod GC ({@code pkg/controller/podgc/gc_controller.go}), every gcCheckPeriod:
 * <ul>
 * <li>gcTerminating (non-graceful node shutdown, KEP-2268, GA in 1.28): a pod already Terminating on a node that is
 * not Ready and carries the {@code node.kubernetes.io/out-of-service} taint is force-deleted; the taint does not
 * make it Terminating, the taint-eviction controller does (out-of-service:NoExecute is tolerated by no pod);
 * <li>gcOrphaned: a pod bound to a node that has been missing for quarantineTime is force-deleted, with the
 * DisruptionTarget condition DeletionByPodGC.
 * </ul>
 * Either way the pod is first marked phase Failed (markFailedAndDeletePod), since no kubelet will ever do it.
 */
public final class PodGarbageCollector {
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration checkPeriod;
    private final Duration quarantine;
    private final Timeline timeline;
    /** The nodeQueue's quarantine: when a pod's node was first seen missing. */
    private final Map<String, Instant> missingSince = new HashMap<>();
    private Instant nextCheck = Instant.EPOCH;

    public PodGarbageCollector(KubernetesClient client, Clock clock, Duration checkPeriod, Duration quarantine,
                               Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.checkPeriod = checkPeriod;
        this.quarantine = quarantine;
        this.timeline = timeline;
    }

    /** A pod the GC deletes, and the condition it records on it (null: none). */
    record Collected(Pod pod, String reason, PodCondition condition) {
    }

    public void reconcile(ClusterView view) {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(checkPeriod);
        collectable(view, now).forEach(this::markFailedAndDelete);
    }

    /** The pods this pass force-deletes. */
    List<Collected> collectable(ClusterView view, Instant now) {
        List<Collected> collected = new ArrayList<>();
        missingSince.keySet().retainAll(view.pods().stream().map(p -> p.getSpec().getNodeName())
                .filter(n -> n != null && !view.nodes().containsKey(n)).toList());
        for (Pod pod : view.pods()) {
            String nodeName = pod.getSpec().getNodeName();
            if (nodeName == null) {
                continue;
            }
            Node node = view.nodes().get(nodeName);
            if (node == null) {
                Instant since = missingSince.computeIfAbsent(nodeName, n -> now);
                if (!now.isBefore(since.plus(quarantine))) {
                    collected.add(new Collected(pod, "node " + nodeName + " no longer exists",
                            disruptionTarget("DeletionByPodGC", "PodGC: node no longer exists", now)));
                }
            } else if (ClusterView.isTerminating(pod) && !ClusterView.isReady(node)
                    && NodeLifecycleController.hasTaint(node, Names.TAINT_OUT_OF_SERVICE)) {
                collected.add(new Collected(pod, "terminating on out-of-service node " + nodeName, null));
            }
        }
        return collected;
    }

    private static PodCondition disruptionTarget(String reason, String message, Instant now) {
        return new PodConditionBuilder().withType("DisruptionTarget").withStatus("True").withReason(reason)
                .withMessage(message).withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    private void markFailedAndDelete(Collected c) {
        String ns = c.pod().getMetadata().getNamespace();
        String name = c.pod().getMetadata().getName();
        var pod = client.pods().inNamespace(ns).withName(name);
        String phase = c.pod().getStatus() == null ? null : c.pod().getStatus().getPhase();
        if (!Set.of("Succeeded", "Failed").contains(String.valueOf(phase))) {
            pod.editStatus(p -> {
                p.getStatus().setPhase("Failed");
                if (c.condition() != null) {
                    if (p.getStatus().getConditions() == null) {
                        p.getStatus().setConditions(new ArrayList<>());
                    }
                    p.getStatus().getConditions().removeIf(x -> c.condition().getType().equals(x.getType()));
                    p.getStatus().getConditions().add(c.condition());
                }
                return p;
            });
        }
        pod.withGracePeriod(0).delete();
        timeline.record("pod", ns + "/" + name, "ForceDeleted by pod GC (" + c.reason() + ")");
    }
}
