package io.pgwarden.failover.decide;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a planned operation (move, failback, stop, start) sees of one database and the nodes at one moment, read
 * fresh from the API server.
 *
 * @param statefulSet     the database's StatefulSet; empty when there is none (an unknown database)
 * @param pod             its pod {@code <name>-0}, wherever it is
 * @param nodes           every node
 * @param budgets         the PodDisruptionBudgets whose selector matches the pod
 * @param attachments     the VolumeAttachments of the pod's claims, on any node
 * @param evictionRefused what the API server answered the last eviction of this operation, when it refused it (429)
 * @param write           the write check through the Service, when one was made (see {@link PlannedDecider#wantsWrite})
 * @param busyWith        another operation holding the database's lock, described; a dry run, which takes no lock,
 *                        says so among its verdicts
 */
public record PlannedView(Optional<StatefulSetSeen> statefulSet, Optional<PodSeen> pod, List<NodeSeen> nodes,
                          List<BudgetSeen> budgets, List<String> attachments, Optional<String> evictionRefused,
                          Optional<WriteCheck> write, Optional<String> busyWith) {

    public PlannedView {
        nodes = List.copyOf(nodes);
        budgets = List.copyOf(budgets);
        attachments = List.copyOf(attachments);
    }

    public PlannedView withWrite(WriteCheck check) {
        return new PlannedView(statefulSet, pod, nodes, budgets, attachments, evictionRefused, Optional.of(check),
                busyWith);
    }

    public Optional<NodeSeen> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /**
     * @param managed     labelled {@code pgwarden.io/managed=true}
     * @param replicas    its spec.replicas
     * @param annotations its annotations (pgwarden's moved-from, stopped-replicas, stopped-on among them)
     * @param constraints where its pod template lets a pod run
     */
    public record StatefulSetSeen(String namespace, String name, boolean managed, int replicas,
                                  Map<String, String> annotations, PodConstraints constraints) {
        public StatefulSetSeen {
            annotations = Map.copyOf(annotations);
        }

        public Optional<String> annotation(String key) {
            return Optional.ofNullable(annotations.get(key));
        }
    }

    /**
     * @param node        the node it is bound to; null while it is not scheduled
     * @param terminating it has a deletionTimestamp
     */
    public record PodSeen(String name, String uid, String node, boolean ready, boolean terminating) {
    }

    /** @param cordonedFor the value of {@code pgwarden.io/cordoned-for}, when pgwarden cordoned it for a move */
    public record NodeSeen(String name, boolean ready, boolean unschedulable, Map<String, String> labels,
                           List<Placement.Taint> taints, Optional<String> cordonedFor) {
        public NodeSeen {
            labels = Map.copyOf(labels);
            taints = List.copyOf(taints);
        }
    }

    /** The scheduling constraints of a pod template: nodeSelector, required node affinity, tolerations. */
    public record PodConstraints(Map<String, String> nodeSelector, List<Placement.Term> requiredTerms,
                                 List<Placement.Toleration> tolerations) {
        public static final PodConstraints NONE = new PodConstraints(Map.of(), List.of(), List.of());

        public PodConstraints {
            nodeSelector = Map.copyOf(nodeSelector);
            requiredTerms = List.copyOf(requiredTerms);
            tolerations = List.copyOf(tolerations);
        }
    }

    /** @param rule what it asks, e.g. {@code minAvailable 1} */
    public record BudgetSeen(String name, int disruptionsAllowed, String rule) {
    }

    /** @param problem empty when the write committed */
    public record WriteCheck(Optional<String> problem) {
    }
}
