package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;

import io.pgwarden.contracts.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the API server holds at the start of a control-loop pass, read with one list per kind: the sandbox's
 * controllers share it the way the real ones share informer caches.
 */
public record ClusterView(Map<String, Node> nodes, Map<String, Lease> leases, List<Pod> pods,
                          List<PersistentVolumeClaim> claims, Map<String, PersistentVolume> volumes,
                          List<VolumeAttachment> attachments, List<StatefulSet> statefulSets, List<Service> services,
                          List<PodDisruptionBudget> disruptionBudgets) {

    public static ClusterView read(KubernetesClient client) {
        return new ClusterView(
                byName(client.nodes().list().getItems(), n -> n.getMetadata().getName()),
                byName(client.leases().inNamespace(Names.NODE_LEASE_NAMESPACE).list().getItems(),
                        l -> l.getMetadata().getName()),
                client.pods().inAnyNamespace().list().getItems(),
                client.persistentVolumeClaims().inAnyNamespace().list().getItems(),
                byName(client.persistentVolumes().list().getItems(), v -> v.getMetadata().getName()),
                client.storage().v1().volumeAttachments().list().getItems(),
                client.apps().statefulSets().inAnyNamespace().list().getItems(),
                client.services().inAnyNamespace().list().getItems(),
                client.policy().v1().podDisruptionBudget().inAnyNamespace().list().getItems());
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        return items.stream().collect(Collectors.toMap(name, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    public List<Pod> podsOn(String node) {
        return pods.stream().filter(p -> node.equals(p.getSpec().getNodeName())).toList();
    }

    public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
        return claims.stream().filter(c -> c.getMetadata().getNamespace().equals(namespace)
                && c.getMetadata().getName().equals(name)).findFirst();
    }

    /** The bound PersistentVolume names of a pod's claims; empty when some claim is not bound yet. */
    public Optional<List<String>> boundVolumes(Pod pod) {
        List<String> names = new ArrayList<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() == null) {
                continue;
            }
            Optional<String> pv = claim(pod.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName())
                    .map(c -> c.getSpec().getVolumeName()).filter(Objects::nonNull)
                    .filter(volumes::containsKey);
            if (pv.isEmpty()) {
                return Optional.empty();
            }
            names.add(pv.get());
        }
        return Optional.of(names);
    }

    /** The CSI volume handle of a PersistentVolume: what names its image, its attachments and its use on a node. */
    public Optional<String> volumeHandle(String pv) {
        return Optional.ofNullable(volumes.get(pv)).map(v -> v.getSpec().getCsi()).map(c -> c.getVolumeHandle());
    }

    public Optional<VolumeAttachment> attachment(String pv) {
        return attachments.stream().filter(a -> pv.equals(a.getSpec().getSource().getPersistentVolumeName()))
                .findFirst();
    }

    public static Optional<NodeCondition> ready(Node node) {
        return node.getStatus() == null || node.getStatus().getConditions() == null ? Optional.empty()
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    public static boolean isReady(Node node) {
        return ready(node).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }
}
