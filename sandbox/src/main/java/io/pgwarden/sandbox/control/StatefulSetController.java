package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.record.Timeline;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * kube-controller-manager's StatefulSet controller with the default OrderedReady policy: pod {@code <set>-<i>} for
 * each ordinal, claims {@code <template>-<set>-<i>} from volumeClaimTemplates (kept on scale-down, the default
 * Retain policy), at most one pod object per ordinal, so a replacement is created only once the old pod object is
 * gone from the API server (the at-most-one guarantee: a pod stuck Terminating on a lost node is never replaced);
 * scale-up one ordinal at a time once the lower ones are Running and Ready; scale-down from the highest ordinal,
 * one at a time.
 */
public final class StatefulSetController {
    private final KubernetesClient client;
    private final Timeline timeline;

    public StatefulSetController(KubernetesClient client, Timeline timeline) {
        this.client = client;
        this.timeline = timeline;
    }

    public void reconcile(ClusterView view) {
        for (StatefulSet set : view.statefulSets()) {
            reconcile(set, view);
        }
        collectOrphans(view);
    }

    /**
     * The garbage collector's background cascading deletion, for the pods this controller owns: a pod whose owning
     * StatefulSet (by uid) is gone is deleted.
     */
    private void collectOrphans(ClusterView view) {
        Set<String> sets = view.statefulSets().stream().map(s -> s.getMetadata().getUid()).collect(Collectors.toSet());
        for (Pod pod : view.pods()) {
            boolean orphan = pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences()
                    .stream().anyMatch(o -> "StatefulSet".equals(o.getKind()) && !sets.contains(o.getUid()));
            if (orphan && !ClusterView.isTerminating(pod)) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .delete();
                timeline.record("pod", pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                        "Terminating (owner deleted)");
            }
        }
    }

    private void reconcile(StatefulSet set, ClusterView view) {
        String ns = set.getMetadata().getNamespace();
        String name = set.getMetadata().getName();
        int replicas = Optional.ofNullable(set.getSpec().getReplicas()).orElse(1);
        Map<Integer, Pod> pods = new HashMap<>();
        for (Pod pod : view.pods()) {
            if (ns.equals(pod.getMetadata().getNamespace()) && ownedBy(pod, set)) {
                ordinal(pod.getMetadata().getName(), name).ifPresent(i -> pods.put(i, pod));
            }
        }
        Step step = next(replicas, pods);
        switch (step.action()) {
            case CREATE -> {
                ensureClaims(set, step.ordinal(), view);
                createPod(set, step.ordinal());
            }
            case DELETE -> {
                String pod = name + "-" + step.ordinal();
                client.pods().inNamespace(ns).withName(pod).delete();
                timeline.record("pod", ns + "/" + pod, "Terminating (scale down)");
            }
            case WAIT -> {
                // OrderedReady: nothing to do until the pod in progress is Running and Ready, or gone
            }
        }
        updateStatus(set, pods);
    }

    enum Action { CREATE, DELETE, WAIT }

    record Step(Action action, int ordinal) {
    }

    /**
     * The OrderedReady decision for one pass, given the pod objects per ordinal: create the lowest missing ordinal
     * once every lower one is Running and Ready; never a second pod for an ordinal whose pod object still exists
     * (even Terminating on a lost node); with every wanted ordinal ready, delete the highest one beyond replicas,
     * one at a time.
     */
    static Step next(int replicas, Map<Integer, Pod> pods) {
        for (int i = 0; i < replicas; i++) {
            Pod pod = pods.get(i);
            if (pod == null) {
                return new Step(Action.CREATE, i);
            }
            if (!isRunningAndReady(pod)) {
                return new Step(Action.WAIT, i);
            }
        }
        Optional<Integer> surplus = pods.keySet().stream().filter(i -> i >= replicas).max(Integer::compare);
        if (surplus.isEmpty() || pods.values().stream().anyMatch(ClusterView::isTerminating)) {
            return new Step(Action.WAIT, surplus.orElse(-1));
        }
        return new Step(Action.DELETE, surplus.get());
    }

    private void ensureClaims(StatefulSet set, int ordinal, ClusterView view) {
        String ns = set.getMetadata().getNamespace();
        for (PersistentVolumeClaim template : templates(set)) {
            String claim = claimName(template, set, ordinal);
            if (view.claim(ns, claim).isEmpty() && client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() == null) {
                ObjectMeta meta = new ObjectMeta();
                meta.setName(claim);
                meta.setNamespace(ns);
                meta.setLabels(new HashMap<>(Optional.ofNullable(set.getSpec().getSelector().getMatchLabels()).orElse(Map.of())));
                client.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder()
                        .withMetadata(meta).withSpec(template.getSpec()).build()).create();
                timeline.record("pvc", ns + "/" + claim, "Created");
            }
        }
    }

    private void createPod(StatefulSet set, int ordinal) {
        String ns = set.getMetadata().getNamespace();
        String podName = set.getMetadata().getName() + "-" + ordinal;
        PodSpec spec = set.getSpec().getTemplate().getSpec();
        Map<String, String> labels = new HashMap<>(Optional.ofNullable(
                set.getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of()));
        labels.put("statefulset.kubernetes.io/pod-name", podName);
        labels.put("apps.kubernetes.io/pod-index", String.valueOf(ordinal));
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(ns).withLabels(labels)
                .withAnnotations(set.getSpec().getTemplate().getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                        .withName(set.getMetadata().getName()).withUid(set.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata().withSpec(spec).editSpec().withHostname(podName)
                .withSubdomain(set.getSpec().getServiceName()).endSpec();
        for (PersistentVolumeClaim template : templates(set)) {
            pod.editSpec().removeMatchingFromVolumes(v -> template.getMetadata().getName().equals(v.getName()))
                    .addToVolumes(new VolumeBuilder().withName(template.getMetadata().getName())
                            .withNewPersistentVolumeClaim().withClaimName(claimName(template, set, ordinal))
                            .endPersistentVolumeClaim().build()).endSpec();
        }
        client.pods().inNamespace(ns).resource(pod.build()).create();
        timeline.record("pod", ns + "/" + podName, "Created");
    }

    private void updateStatus(StatefulSet set, Map<Integer, Pod> pods) {
        int ready = (int) pods.values().stream().filter(StatefulSetController::isRunningAndReady).count();
        int count = pods.size();
        Long generation = set.getMetadata().getGeneration();
        String revision = revision(set);
        var status = set.getStatus();
        if (status != null && Integer.valueOf(count).equals(status.getReplicas())
                && Integer.valueOf(ready).equals(status.getReadyReplicas())
                && java.util.Objects.equals(generation, status.getObservedGeneration())
                && revision.equals(status.getUpdateRevision())) {
            return;
        }
        client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace())
                .withName(set.getMetadata().getName()).editStatus(s -> {
                    if (s.getStatus() == null) {
                        s.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatus());
                    }
                    s.getStatus().setReplicas(count);
                    s.getStatus().setReadyReplicas(ready);
                    s.getStatus().setAvailableReplicas(ready);
                    s.getStatus().setCurrentReplicas(count);
                    s.getStatus().setUpdatedReplicas(count);
                    s.getStatus().setObservedGeneration(generation);
                    // Pods are not rolled to a new template here: every pod counts as of the current revision.
                    s.getStatus().setCurrentRevision(revision);
                    s.getStatus().setUpdateRevision(revision);
                    return s;
                });
    }

    /**
     * The name of the set's current ControllerRevision, {@code <set>-<hash>}, as kubernetes/kubernetes
     * pkg/controller/history/controller_history.go names it: FNV-1 32 of the revision's data (here the pod
     * template's JSON), SafeEncodeString of its decimal form (k8s.io/apimachinery/pkg/util/rand).
     */
    static String revision(StatefulSet set) {
        int hash = 0x811c9dc5;
        for (byte b : io.fabric8.kubernetes.client.utils.Serialization.asJson(set.getSpec().getTemplate())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hash *= 0x01000193;
            hash ^= b & 0xff;
        }
        String alphanums = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder encoded = new StringBuilder();
        for (char c : Integer.toUnsignedString(hash).toCharArray()) {
            encoded.append(alphanums.charAt(c % alphanums.length()));
        }
        return set.getMetadata().getName() + "-" + encoded;
    }

    private static List<PersistentVolumeClaim> templates(StatefulSet set) {
        return set.getSpec().getVolumeClaimTemplates() == null ? List.of() : set.getSpec().getVolumeClaimTemplates();
    }

    private static String claimName(PersistentVolumeClaim template, StatefulSet set, int ordinal) {
        return template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-" + ordinal;
    }

    private static boolean ownedBy(Pod pod, StatefulSet set) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "StatefulSet".equals(o.getKind()) && set.getMetadata().getName().equals(o.getName()));
    }

    static Optional<Integer> ordinal(String podName, String setName) {
        String prefix = setName + "-";
        if (!podName.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(podName.substring(prefix.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static boolean isRunningAndReady(Pod pod) {
        return !ClusterView.isTerminating(pod) && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
