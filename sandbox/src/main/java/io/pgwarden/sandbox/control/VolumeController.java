package io.pgwarden.sandbox.control;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;

import io.fabric8.kubernetes.api.model.AttachedVolume;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The storage side: the PV binder (static and pre-bound volumes, Available/Bound/Released phases, reclaim) with the
 * CSI external-provisioner and ceph-csi (a claim of the sandbox StorageClass gets a PersistentVolume whose volume
 * handle names an image, a directory, filled from a VolumeSnapshot when the claim's data source names one), and the
 * attach/detach controller with the external-attacher (VolumeAttachment objects). A ReadWriteOnce volume is
 * attached to one node at a time; a pod elsewhere waits with a Multi-Attach error. A volume no pod on its node
 * needs any more is detached once the node's kubelet no longer lists it in node.status.volumesInUse; if the node
 * cannot say so, it is force-detached after maxWaitForUnmountDuration (6 minutes) when the node is not Ready or gone
 * (unless --disable-force-detach-on-timeout), or at once when the node is tainted node.kubernetes.io/out-of-service
 * (KEP-2268). See {@link #detachReason}.
 */
public final class VolumeController {
    private static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration forceDetachTimeout;
    private final boolean disableForceDetachOnTimeout;
    private final Storage storage;
    private final Snapshots snapshots;
    private final Timeline timeline;
    private final Map<String, Instant> undesiredSince = new HashMap<>();
    private final Set<String> multiAttachReported = new HashSet<>();
    private final Set<String> failedDeleteReported = new HashSet<>();
    private volatile BiConsumer<VolumeAttachment, Node> unpublished = (va, node) -> { };

    public VolumeController(KubernetesClient client, Clock clock, Duration forceDetachTimeout,
                            boolean disableForceDetachOnTimeout, Storage storage, Snapshots snapshots, Timeline timeline) {
        this.client = client;
        this.clock = clock;
        this.forceDetachTimeout = forceDetachTimeout;
        this.disableForceDetachOnTimeout = disableForceDetachOnTimeout;
        this.storage = storage;
        this.snapshots = snapshots;
        this.timeline = timeline;
    }

    /** Called after each detach (the CSI driver's ControllerUnpublishVolume); node is null once deleted. */
    public void onDetach(BiConsumer<VolumeAttachment, Node> listener) {
        unpublished = listener;
    }

    public void reconcile(ClusterView view) {
        view.claims().stream().filter(c -> !isBound(c) && c.getMetadata().getDeletionTimestamp() == null)
                .forEach(c -> bindOrProvision(c, view));
        releaseUnusedClaims(view);
        syncVolumes(view);
        Map<String, Pod> desired = new HashMap<>();
        for (Pod pod : view.pods()) {
            String node = pod.getSpec().getNodeName();
            if (node != null && !PodPhases.isTerminal(pod)) { // the desired state of world leaves finished pods out
                view.boundVolumes(pod).ifPresent(vs -> vs.forEach(v -> desired.put(v + "|" + node, pod)));
            }
        }
        detach(view, desired);
        attach(view, desired);
        reportAttached(view);
    }

    // ---- PV binder and CSI provisioner ------------------------------------------------------------------------

    private static boolean isBound(PersistentVolumeClaim claim) {
        return claim.getSpec().getVolumeName() != null && claim.getStatus() != null
                && "Bound".equals(claim.getStatus().getPhase());
    }

    /**
     * The PV controller's syncUnboundClaim: a claim that names a volume binds to it once the volume is free or
     * reserved for it; any other claim binds to the smallest Available volume that fits, and only without one is a
     * volume provisioned (pkg/controller/volume/persistentvolume/pv_controller.go).
     */
    private void bindOrProvision(PersistentVolumeClaim claim, ClusterView view) {
        String wanted = claim.getSpec().getVolumeName();
        if (wanted != null) {
            PersistentVolume volume = view.volumes().get(wanted);
            if (volume != null && VolumeBinding.reservedFor(volume, claim)) {
                bind(volume, claim);
            }
            return;
        }
        Optional<PersistentVolume> match = VolumeBinding.bestMatch(claim, view.volumes().values());
        if (match.isPresent()) {
            bind(match.get(), claim);
        } else {
            provision(claim);
        }
    }

    private void provision(PersistentVolumeClaim claim) {
        String sc = Optional.ofNullable(claim.getSpec().getStorageClassName()).orElse(StorageNames.STORAGE_CLASS);
        if (!StorageNames.STORAGE_CLASS.equals(sc)) {
            return;
        }
        String pv = "pvc-" + claim.getMetadata().getUid();
        Quantity size = claim.getSpec().getResources().getRequests().get("storage");
        CsiVolumeHandle handle = CsiVolumeHandle.generate(StorageNames.CLUSTER_ID, StorageNames.POOL_ID);
        var source = VolumeBinding.dataSource(claim);
        if (source.isPresent() && "VolumeSnapshot".equals(source.get().kind())) {
            Optional<String> snapshotHandle = snapshots.readySnapshotHandle(claim.getMetadata().getNamespace(),
                    source.get().name());
            if (snapshotHandle.isEmpty()) {
                return; // the provisioner waits until the snapshot is ready to use
            }
            storage.createImage(handle.toString(), Quantity.getAmountInBytes(size).longValue());
            storage.copy(storage.snapshot(snapshotHandle.get()), storage.volume(handle.toString()));
        } else {
            storage.createImage(handle.toString(), Quantity.getAmountInBytes(size).longValue());
        }
        var storageClass = client.storage().v1().storageClasses().withName(sc).get();
        String reclaimPolicy = storageClass == null || storageClass.getReclaimPolicy() == null ? "Delete"
                : storageClass.getReclaimPolicy();
        PersistentVolume volume = client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata()
                .withName(pv).addToAnnotations("pv.kubernetes.io/provisioned-by", StorageNames.CSI_DRIVER).endMetadata()
                .withNewSpec().withAccessModes(claim.getSpec().getAccessModes()).addToCapacity("storage", size)
                .withStorageClassName(sc).withPersistentVolumeReclaimPolicy(reclaimPolicy)
                .withVolumeMode(Optional.ofNullable(claim.getSpec().getVolumeMode()).orElse("Filesystem"))
                .withNewCsi().withDriver(StorageNames.CSI_DRIVER).withVolumeHandle(handle.toString()).withFsType("ext4")
                .withVolumeAttributes(Map.of("clusterID", handle.clusterId(), "pool", StorageNames.POOL,
                        "journalPool", StorageNames.POOL, "imageName", handle.imageName()))
                .endCsi()
                .withNewClaimRef().withKind("PersistentVolumeClaim").withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
                .endSpec().build()).create();
        timeline.record("pv", pv, "Provisioned " + handle.imageName());
        bind(volume, claim);
    }

    /** Both halves of a binding, volume first, as the PV controller's bind() does. */
    private void bind(PersistentVolume volume, PersistentVolumeClaim claim) {
        String pv = volume.getMetadata().getName();
        String ns = claim.getMetadata().getNamespace();
        client.persistentVolumes().withName(pv).edit(v -> {
            v.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withNamespace(ns)
                    .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).build());
            return v;
        });
        setPhase(pv, "Bound", null);
        var claimResource = client.persistentVolumeClaims().inNamespace(ns).withName(claim.getMetadata().getName());
        claimResource.edit(c -> {
            c.getSpec().setVolumeName(pv);
            c.getSpec().setStorageClassName(volume.getSpec().getStorageClassName());
            c.getMetadata().getAnnotations().put("pv.kubernetes.io/bind-completed", "yes");
            return c;
        });
        claimResource.editStatus(c -> {
            c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                    .withAccessModes(volume.getSpec().getAccessModes()).withCapacity(volume.getSpec().getCapacity())
                    .build());
            return c;
        });
        timeline.record("pvc", ns + "/" + claim.getMetadata().getName(), "Bound to " + pv);
    }

    private void setPhase(String pv, String phase, String message) {
        client.persistentVolumes().withName(pv).editStatus(v -> {
            v.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder().withPhase(phase)
                    .withMessage(message).build());
            return v;
        });
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
                    .filter(p -> !PodPhases.isTerminal(p))
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

    /**
     * The PV controller's syncVolume: a volume without a claim is Available, one whose claim is gone is Released and
     * reclaimed by its policy. Retain keeps it (and its image) for an administrator to re-bind by clearing its
     * claimRef; Delete has the external-provisioner call DeleteVolume once it is detached, which ceph-csi refuses
     * while a node still has the image mapped (internal/rbd/controllerserver.go): the PV stays Released with a
     * VolumeFailedDelete event and the deletion is retried.
     */
    private void syncVolumes(ClusterView view) {
        for (PersistentVolume volume : view.volumes().values()) {
            String pv = volume.getMetadata().getName();
            String phase = volume.getStatus() == null ? null : volume.getStatus().getPhase();
            var ref = volume.getSpec().getClaimRef();
            if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
                if (!"Available".equals(phase)) {
                    setPhase(pv, "Available", null);
                    timeline.record("pv", pv, "Available");
                }
                continue;
            }
            boolean claimExists = view.claims().stream().anyMatch(c -> c.getMetadata().getUid().equals(ref.getUid()));
            if (claimExists) {
                continue;
            }
            if (!"Released".equals(phase)) {
                setPhase(pv, "Released", null);
                timeline.record("pv", pv, "Released (reclaim policy " + volume.getSpec().getPersistentVolumeReclaimPolicy() + ")");
            }
            if ("Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())
                    && StorageNames.CSI_DRIVER.equals(volume.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by"))
                    && view.attachment(pv).isEmpty()) {
                deleteVolume(volume);
            }
        }
    }

    private void deleteVolume(PersistentVolume volume) {
        String pv = volume.getMetadata().getName();
        String handle = volume.getSpec().getCsi().getVolumeHandle();
        if (!storage.watchers(handle).isEmpty()) {
            String image = CsiVolumeHandle.parse(handle).map(CsiVolumeHandle::imageName).orElse(handle);
            if (failedDeleteReported.add(pv)) {
                event("PersistentVolume", null, pv, volume.getMetadata().getUid(), "VolumeFailedDelete",
                        "rpc error: code = Internal desc = rbd " + image + " is still being used");
                timeline.record("pv", pv, "Delete refused: " + image + " is still being used");
            }
            return;
        }
        client.persistentVolumes().withName(pv).delete();
        storage.deleteImage(handle);
        failedDeleteReported.remove(pv);
        timeline.record("pv", pv, "Deleted (reclaim policy Delete)");
    }

    private void event(String kind, String namespace, String name, String uid, String reason, String message) {
        String ns = namespace == null ? "default" : namespace;
        client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
                .withName(name + "." + Long.toHexString(clock.millis())).withNamespace(ns).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withKind(kind).withNamespace(namespace)
                        .withName(name).withUid(uid).build())
                .withType("Warning").withReason(reason).withMessage(message)
                .withLastTimestamp(clock.instant().toString()).build()).create();
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
            String reason = detachReason(n, view.volumeHandle(pv).orElse(pv), Duration.between(since, now));
            if (reason != null) {
                client.storage().v1().volumeAttachments().withName(va.getMetadata().getName()).delete();
                unpublished.accept(va, n);
                undesiredSince.remove(key);
                timeline.record("attachment", pv, "Detached from " + node + " (" + reason + ")");
            }
        }
        undesiredSince.keySet().retainAll(present);
    }

    /**
     * Why the volume (by handle) may be detached now, or null while it must stay attached: the attach/detach reconciler
     * ({@code pkg/controller/volume/attachdetach/reconciler/reconciler.go}) detaches an unmounted volume; a mounted
     * one only from a node with the out-of-service taint (hasOutOfServiceTaint, Ready or not), or from an unhealthy
     * node (not Ready, or missing) once the volume has been unneeded for maxWaitForUnmountDuration, unless
     * --disable-force-detach-on-timeout. A missing node's mounts are its last report, which the sandbox does not keep:
     * a decommissioned node's volumes count as mounted.
     */
    String detachReason(Node node, String handle, Duration undesiredFor) {
        boolean mounted = node == null || node.getStatus() != null && node.getStatus().getVolumesInUse() != null
                && node.getStatus().getVolumesInUse().contains(StorageNames.uniqueVolumeName(handle));
        if (!mounted) {
            return "unmounted";
        }
        if (node != null && NodeLifecycleController.hasTaint(node, Names.TAINT_OUT_OF_SERVICE)) {
            return "out-of-service taint";
        }
        boolean healthy = node != null && ClusterView.isReady(node);
        if (!healthy && !disableForceDetachOnTimeout && undesiredFor.compareTo(forceDetachTimeout) > 0) {
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
            // Not attached yet: the external-attacher sets status.attached once ControllerPublishVolume returns.
            client.storage().v1().volumeAttachments().resource(new VolumeAttachmentBuilder().withNewMetadata()
                    .withName(attachmentName(volume.getSpec().getCsi().getVolumeHandle(), node)).endMetadata()
                    .withNewSpec().withAttacher(StorageNames.CSI_DRIVER)
                    .withNodeName(node).withNewSource().withPersistentVolumeName(pv).endSource().endSpec().build())
                    .create();
            multiAttachReported.remove(want.getValue().getMetadata().getUid());
            timeline.record("attachment", pv, "Attaching to " + node);
        }
    }

    /**
     * The node status updater: node.status.volumesAttached lists the volumes whose attachment to the node completed,
     * which is what the kubelet verifies before it mounts ({@code pkg/controller/volume/attachdetach/statusupdater}).
     */
    private void reportAttached(ClusterView view) {
        for (Node node : view.nodes().values()) {
            List<AttachedVolume> attached = volumesAttached(node.getMetadata().getName(), view.attachments(),
                    pv -> view.volumeHandle(pv).orElse(pv));
            List<AttachedVolume> reported = node.getStatus() == null || node.getStatus().getVolumesAttached() == null
                    ? List.of() : node.getStatus().getVolumesAttached();
            if (!attached.equals(reported)) {
                client.nodes().withName(node.getMetadata().getName()).editStatus(n -> {
                    n.getStatus().setVolumesAttached(attached);
                    return n;
                });
            }
        }
    }

    /** The volumes attached to a node: VolumeAttachments to it whose status says attached, by unique name. */
    static List<AttachedVolume> volumesAttached(String node, List<VolumeAttachment> attachments,
                                                UnaryOperator<String> handleOfVolume) {
        return attachments.stream().filter(a -> node.equals(a.getSpec().getNodeName()))
                .filter(a -> a.getStatus() != null && Boolean.TRUE.equals(a.getStatus().getAttached()))
                .map(a -> StorageNames.uniqueVolumeName(handleOfVolume.apply(a.getSpec().getSource()
                        .getPersistentVolumeName()))).sorted()
                .map(name -> new AttachedVolume("", name)).toList();
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

    /**
     * The CSI attacher's VolumeAttachment name: csi-sha256(volume handle + driver + node), getAttachmentName in
     * pkg/volume/csi/csi_attacher.go.
     */
    static String attachmentName(String volumeHandle, String node) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((volumeHandle + StorageNames.CSI_DRIVER + node).getBytes(StandardCharsets.UTF_8));
            return "csi-" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
