package io.pgwarden.sandbox.control;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.record.Timeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The storage side: the CSI external-provisioner (a claim of the sandbox StorageClass gets a PersistentVolume, a
 * directory, filled from a VolumeSnapshot when the claim's dataSource names one) with the PV binder, and the
 * attach/detach controller with the external-attacher (VolumeAttachment objects). A ReadWriteOnce volume is
 * attached to one node at a time; a pod elsewhere waits with a Multi-Attach error. A volume no pod on its node
 * needs any more is detached once the node's kubelet no longer lists it in node.status.volumesInUse; if the node
 * cannot say so, it is force-detached after maxWaitForUnmountDuration (6 minutes), or at once when the node is
 * tainted node.kubernetes.io/out-of-service (KEP-2268).
 */
public final class VolumeController {
    private static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration forceDetachTimeout;
    private final Storage storage;
    private final Snapshots snapshots;
    private final Timeline timeline;
    private final Map<String, Instant> undesiredSince = new HashMap<>();
    private final Set<String> multiAttachReported = new HashSet<>();
    private volatile BiConsumer<VolumeAttachment, Node> unpublished = (va, node) -> { };

    public VolumeController(KubernetesClient client, Clock clock, Duration forceDetachTimeout, Storage storage,
                            Snapshots snapshots, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.forceDetachTimeout = forceDetachTimeout;
        this.storage = storage;
        this.snapshots = snapshots;
        this.timeline = timeline;
    }

    /** Called after each detach (the CSI driver's ControllerUnpublishVolume); node is null once deleted. */
    public void onDetach(BiConsumer<VolumeAttachment, Node> listener) {
        unpublished = listener;
    }

    public void reconcile(ClusterView view) {
        view.claims().stream().filter(c -> c.getSpec().getVolumeName() == null
                && c.getMetadata().getDeletionTimestamp() == null).forEach(this::provision);
        releaseUnusedClaims(view);
        reclaimReleasedVolumes(view);
        Map<String, Pod> desired = new HashMap<>();
        for (Pod pod : view.pods()) {
            String node = pod.getSpec().getNodeName();
            if (node != null) {
                view.boundVolumes(pod).ifPresent(vs -> vs.forEach(v -> desired.put(v + "|" + node, pod)));
            }
        }
        detach(view, desired);
        attach(view, desired);
    }

    // ---- provisioning ------------------------------------------------------------------------------------------

    private void provision(PersistentVolumeClaim claim) {
        String sc = Optional.ofNullable(claim.getSpec().getStorageClassName()).orElse(StorageNames.STORAGE_CLASS);
        if (!StorageNames.STORAGE_CLASS.equals(sc)) {
            return;
        }
        String pv = "pvc-" + claim.getMetadata().getUid();
        var source = claim.getSpec().getDataSource();
        if (source != null && "VolumeSnapshot".equals(source.getKind())) {
            Optional<String> content = snapshots.readyContent(claim.getMetadata().getNamespace(), source.getName());
            if (content.isEmpty()) {
                return; // the provisioner waits until the snapshot is ready to use
            }
            snapshots.restore(content.get(), storage.volume(pv));
        } else {
            storage.create(storage.volume(pv));
        }
        Quantity size = claim.getSpec().getResources().getRequests().get("storage");
        client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(pv)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", StorageNames.CSI_DRIVER).endMetadata()
                .withNewSpec().withAccessModes(claim.getSpec().getAccessModes()).addToCapacity("storage", size)
                .withStorageClassName(sc).withPersistentVolumeReclaimPolicy("Delete")
                .withNewCsi().withDriver(StorageNames.CSI_DRIVER).withVolumeHandle(pv).endCsi()
                .withNewClaimRef().withKind("PersistentVolumeClaim").withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
                .endSpec().build()).create();
        client.persistentVolumes().withName(pv).editStatus(v -> {
            v.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder().withPhase("Bound").build());
            return v;
        });
        var claimResource = client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName());
        claimResource.edit(c -> {
            c.getSpec().setVolumeName(pv);
            c.getSpec().setStorageClassName(sc);
            return c;
        });
        claimResource.editStatus(c -> {
            c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                    .withAccessModes(claim.getSpec().getAccessModes()).addToCapacity("storage", size).build());
            return c;
        });
        timeline.record("pvc", claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName(), "Bound to " + pv);
    }

    /** The PVC protection controller: a claim marked for deletion goes once no pod uses it. */
    private void releaseUnusedClaims(ClusterView view) {
        for (PersistentVolumeClaim claim : view.claims()) {
            if (claim.getMetadata().getDeletionTimestamp() == null
                    || !claim.getMetadata().getFinalizers().contains(PVC_PROTECTION)) {
                continue;
            }
            String ns = claim.getMetadata().getNamespace();
            boolean used = view.pods().stream().filter(p -> ns.equals(p.getMetadata().getNamespace()))
                    .filter(p -> p.getStatus() == null || !Set.of("Succeeded", "Failed").contains(p.getStatus().getPhase()))
                    .anyMatch(p -> p.getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
                            && claim.getMetadata().getName().equals(v.getPersistentVolumeClaim().getClaimName())));
            if (!used) {
                client.persistentVolumeClaims().inNamespace(ns).withName(claim.getMetadata().getName()).edit(c -> {
                    c.getMetadata().getFinalizers().remove(PVC_PROTECTION);
                    return c;
                });
                timeline.record("pvc", ns + "/" + claim.getMetadata().getName(), "Deleted");
            }
        }
    }

    /** The provisioner's Delete reclaim policy: a volume whose claim is gone is deleted once it is detached. */
    private void reclaimReleasedVolumes(ClusterView view) {
        for (PersistentVolume volume : view.volumes().values()) {
            var ref = volume.getSpec().getClaimRef();
            String pv = volume.getMetadata().getName();
            boolean claimExists = ref != null && view.claims().stream().anyMatch(c -> c.getMetadata().getUid()
                    .equals(ref.getUid()));
            if (claimExists || !"Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())
                    || view.attachment(pv).isPresent() || view.claims().stream()
                    .anyMatch(c -> pv.equals(c.getSpec().getVolumeName()))) {
                continue;
            }
            client.persistentVolumes().withName(pv).delete();
            storage.delete(storage.volume(pv));
            timeline.record("pv", pv, "Deleted (reclaim policy Delete)");
        }
    }

    // ---- attach/detach -----------------------------------------------------------------------------------------

    private void detach(ClusterView view, Map<String, Pod> desired) {
        Instant now = clock.instant();
        Set<String> present = new HashSet<>();
        for (VolumeAttachment va : view.attachments()) {
            String pv = va.getSpec().getSource().getPersistentVolumeName();
            String node = va.getSpec().getNodeName();
            String key = pv + "|" + node;
            present.add(key);
            if (desired.containsKey(key)) {
                undesiredSince.remove(key);
                continue;
            }
            Instant since = undesiredSince.computeIfAbsent(key, k -> now);
            Node n = view.nodes().get(node);
            String reason = detachReason(n, pv, Duration.between(since, now));
            if (reason != null) {
                client.storage().v1().volumeAttachments().withName(va.getMetadata().getName()).delete();
                unpublished.accept(va, n);
                undesiredSince.remove(key);
                timeline.record("attachment", pv, "Detached from " + node + " (" + reason + ")");
            }
        }
        undesiredSince.keySet().retainAll(present);
    }

    /** Why the volume may be detached now, or null while it must stay attached. */
    String detachReason(Node node, String pv, Duration undesiredFor) {
        if (node == null) {
            return "node deleted";
        }
        boolean inUse = node.getStatus() != null && node.getStatus().getVolumesInUse() != null
                && node.getStatus().getVolumesInUse().contains("kubernetes.io/csi/" + StorageNames.CSI_DRIVER + "^" + pv);
        if (!inUse) {
            return "unmounted";
        }
        boolean healthy = ClusterView.isReady(node);
        if (!healthy && NodeLifecycleController.hasTaint(node, Names.TAINT_OUT_OF_SERVICE)) {
            return "out-of-service taint";
        }
        if (!healthy && undesiredFor.compareTo(forceDetachTimeout) >= 0) {
            return "force detach after maxWaitForUnmountDuration";
        }
        return null;
    }

    private void attach(ClusterView view, Map<String, Pod> desired) {
        for (Map.Entry<String, Pod> want : desired.entrySet()) {
            String[] pvNode = want.getKey().split("\\|");
            String pv = pvNode[0];
            String node = pvNode[1];
            Optional<VolumeAttachment> existing = view.attachment(pv);
            PersistentVolume volume = view.volumes().get(pv);
            boolean readWriteOnce = volume.getSpec().getAccessModes().contains("ReadWriteOnce")
                    || volume.getSpec().getAccessModes().contains("ReadWriteOncePod");
            if (existing.isPresent() && (existing.get().getSpec().getNodeName().equals(node) || readWriteOnce)) {
                if (!existing.get().getSpec().getNodeName().equals(node)) {
                    reportMultiAttach(want.getValue(), pv, existing.get().getSpec().getNodeName());
                }
                continue;
            }
            client.storage().v1().volumeAttachments().resource(new VolumeAttachmentBuilder().withNewMetadata()
                    .withName(attachmentName(pv, node)).endMetadata().withNewSpec().withAttacher(StorageNames.CSI_DRIVER)
                    .withNodeName(node).withNewSource().withPersistentVolumeName(pv).endSource().endSpec().build())
                    .create();
            client.storage().v1().volumeAttachments().withName(attachmentName(pv, node)).editStatus(a -> {
                a.setStatus(new io.fabric8.kubernetes.api.model.storage.VolumeAttachmentStatus(null, true, null, null));
                return a;
            });
            multiAttachReported.remove(want.getValue().getMetadata().getUid());
            timeline.record("attachment", pv, "Attached to " + node);
        }
    }

    private void reportMultiAttach(Pod pod, String pv, String otherNode) {
        if (!multiAttachReported.add(pod.getMetadata().getUid())) {
            return;
        }
        String ns = pod.getMetadata().getNamespace();
        client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
                .withName(pod.getMetadata().getName() + "." + Long.toHexString(clock.millis())).withNamespace(ns).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withKind("Pod").withNamespace(ns)
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build())
                .withType("Warning").withReason("FailedAttachVolume")
                .withMessage("Multi-Attach error for volume \"" + pv + "\" Volume is already exclusively attached to "
                        + "one node (" + otherNode + ") and can't be attached to another")
                .withLastTimestamp(clock.instant().toString()).build()).create();
        timeline.record("attachment", pv, "Multi-Attach error for " + pod.getMetadata().getName());
    }

    /** The external-attacher's naming: csi-sha256(volume handle + driver + node). */
    static String attachmentName(String pv, String node) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((pv + StorageNames.CSI_DRIVER + node).getBytes(StandardCharsets.UTF_8));
            return "csi-" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
