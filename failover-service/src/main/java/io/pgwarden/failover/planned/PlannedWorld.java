package io.pgwarden.failover.planned;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.failover.decide.Placement;
import io.pgwarden.failover.decide.PlannedDecider;
import io.pgwarden.failover.decide.PlannedView;
import io.pgwarden.failover.decide.PlannedView.BudgetSeen;
import io.pgwarden.failover.decide.PlannedView.NodeSeen;
import io.pgwarden.failover.decide.PlannedView.PodConstraints;
import io.pgwarden.failover.decide.PlannedView.PodSeen;
import io.pgwarden.failover.decide.PlannedView.StatefulSetSeen;
import io.pgwarden.failover.decide.StopDecider;
import io.pgwarden.database.DatabaseWrites;
import io.pgwarden.operations.core.DatabaseLease;
import io.pgwarden.operations.core.DatabaseLocks;
import io.pgwarden.operations.core.Operation;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what a planned operation decides on, fresh from the API server: the StatefulSet, its pod, the nodes, the
 * PodDisruptionBudgets that select the pod, the VolumeAttachments of its claims, and, when the decider waits for
 * writes, the write check. An eviction the API server refused is kept here until the operation's next look.
 */
@ApplicationScoped
public class PlannedWorld {
    private final KubernetesClient client;
    private final DatabaseWrites writes;
    private final DatabaseLocks locks;
    private final Map<String, String> refusedEvictions = new ConcurrentHashMap<>();

    PlannedWorld(KubernetesClient client, DatabaseWrites writes, DatabaseLocks locks) {
        this.client = client;
        this.writes = writes;
        this.locks = locks;
    }

    /** The API server refused the operation's eviction (429): the next observation says so. */
    void evictionRefused(Operation op, String answer) {
        refusedEvictions.put(op.id(), answer);
    }

    PlannedView observe(String namespace, String name, Operation op) throws Exception {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        Pod pod = client.pods().inNamespace(namespace).withName(name + "-0").get();
        List<NodeSeen> nodes = client.nodes().list().getItems().stream().map(PlannedWorld::seen).toList();
        List<BudgetSeen> budgets = pod == null ? List.of() : budgets(namespace, pod);
        List<String> attachments = sts != null && StopDecider.STOPPING.equals(op.phase()) ? attachments(sts)
                : List.of();
        PlannedView view = new PlannedView(Optional.ofNullable(sts).map(PlannedWorld::seen),
                Optional.ofNullable(pod).map(PlannedWorld::seen), nodes, budgets, attachments,
                Optional.ofNullable(refusedEvictions.remove(op.id())), Optional.empty(), busyWith(namespace, name, op));
        return PlannedDecider.wantsWrite(op, view)
                ? view.withWrite(new PlannedView.WriteCheck(writes.tryWrite(namespace, name))) : view;
    }

    /** Another operation's hold on the database's lock, which only a dry run (holding none) can meet here. */
    private Optional<String> busyWith(String namespace, String name, Operation op) throws Exception {
        return locks.read(namespace, name).filter(l -> l.holder() != null && !l.holder().isEmpty()
                && !l.holder().equals(op.id())).map(DatabaseLease::describe);
    }

    private List<BudgetSeen> budgets(String namespace, Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        List<BudgetSeen> seen = new ArrayList<>();
        for (PodDisruptionBudget pdb : client.policy().v1().podDisruptionBudget().inNamespace(namespace).list()
                .getItems()) {
            if (pdb.getSpec() != null && selects(pdb.getSpec().getSelector(), labels)) {
                int allowed = pdb.getStatus() == null || pdb.getStatus().getDisruptionsAllowed() == null ? 0
                        : pdb.getStatus().getDisruptionsAllowed();
                String rule = pdb.getSpec().getMinAvailable() != null
                        ? "minAvailable " + pdb.getSpec().getMinAvailable().getValue()
                        : pdb.getSpec().getMaxUnavailable() != null
                        ? "maxUnavailable " + pdb.getSpec().getMaxUnavailable().getValue() : "no rule";
                seen.add(new BudgetSeen(pdb.getMetadata().getName(), allowed, rule));
            }
        }
        return seen;
    }

    /**
     * A label selector as the API server evaluates it ({@code metav1.LabelSelectorAsSelector}): matchLabels and
     * matchExpressions ANDed; an empty selector selects everything, as a policy/v1 PodDisruptionBudget's does.
     */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && selector.getMatchLabels().entrySet().stream()
                .anyMatch(e -> !e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                if (!new Placement.Requirement(r.getKey(), r.getOperator(), r.getValues()).matches(labels)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The VolumeAttachments of the StatefulSet's first pod's claims, on any node. */
    private List<String> attachments(StatefulSet sts) {
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
            if (volumes.contains(va.getSpec().getSource().getPersistentVolumeName())) {
                attached.add(va.getMetadata().getName());
            }
        }
        return attached;
    }

    private static StatefulSetSeen seen(StatefulSet sts) {
        Map<String, String> labels = sts.getMetadata().getLabels() == null ? Map.of() : sts.getMetadata().getLabels();
        Map<String, String> annotations = sts.getMetadata().getAnnotations() == null ? Map.of()
                : sts.getMetadata().getAnnotations();
        int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        PodSpec spec = sts.getSpec().getTemplate() == null ? null : sts.getSpec().getTemplate().getSpec();
        return new StatefulSetSeen(sts.getMetadata().getNamespace(), sts.getMetadata().getName(),
                "true".equals(labels.get(Names.MANAGED_LABEL)), replicas, annotations, constraints(spec));
    }

    private static PodConstraints constraints(PodSpec spec) {
        if (spec == null) {
            return PodConstraints.NONE;
        }
        List<Placement.Term> terms = new ArrayList<>();
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null && spec.getAffinity()
                .getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            for (NodeSelectorTerm t : spec.getAffinity().getNodeAffinity()
                    .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()) {
                terms.add(new Placement.Term(requirements(t.getMatchExpressions()), requirements(t.getMatchFields())));
            }
        }
        List<Placement.Toleration> tolerations = spec.getTolerations() == null ? List.of() : spec.getTolerations()
                .stream().map(t -> new Placement.Toleration(t.getKey(), t.getOperator(), t.getValue(), t.getEffect()))
                .toList();
        return new PodConstraints(spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector(), terms,
                tolerations);
    }

    private static List<Placement.Requirement> requirements(List<NodeSelectorRequirement> list) {
        return list == null ? List.of() : list.stream()
                .map(r -> new Placement.Requirement(r.getKey(), r.getOperator(), r.getValues())).toList();
    }

    private static PodSeen seen(Pod pod) {
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return new PodSeen(pod.getMetadata().getName(), pod.getMetadata().getUid(), pod.getSpec().getNodeName(),
                ready, pod.getMetadata().getDeletionTimestamp() != null);
    }

    private static NodeSeen seen(Node node) {
        boolean ready = node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of()
                : node.getMetadata().getAnnotations();
        List<Placement.Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints().stream().map(t -> new Placement.Taint(t.getKey(), t.getValue(),
                t.getEffect())).toList();
        return new NodeSeen(node.getMetadata().getName(), ready,
                node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable()),
                node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels(), taints,
                Optional.ofNullable(annotations.get(Names.CORDONED_FOR_ANNOTATION)));
    }
}
