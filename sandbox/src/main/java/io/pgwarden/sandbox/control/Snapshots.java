package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.postgres.UnsyncedWrites;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The snapshot controller and the CSI external-snapshotter sidecar (kubernetes-csi/external-snapshotter,
 * pkg/common-controller/snapshot_controller.go and pkg/sidecar-controller/snapshot_controller.go) for
 * snapshot.storage.k8s.io/v1, with ceph-csi's CreateSnapshot behind them.
 * <ul>
 * <li>A VolumeSnapshot's class is the one it names, or the default class (annotation
 * snapshot.storage.kubernetes.io/is-default-class) of its claim's CSI driver, written into its spec. A missing class
 * is reported in status.error and the snapshot never becomes ready. A class of another driver gets its content,
 * which no sidecar of that driver picks up: the snapshot stays not ready without an error, as upstream.</li>
 * <li>The content snapcontent-&lt;snapshot uid&gt; takes the class's deletionPolicy and driver. The sidecar copies
 * the volume at once (crash-consistent, as an RBD snapshot: the PostgreSQL processes on the volume are frozen with
 * SIGSTOP, like fsfreeze, while the directory is copied) and reports readyToUse, snapshotHandle, creationTime and
 * restoreSize after {@link io.pgwarden.sandbox.Timings#snapshotCreation()}; the snapshot's status follows.</li>
 * <li>Finalizers: volumesnapshot-as-source-protection on every snapshot not being deleted, holding its deletion
 * while a claim restoring from it is Pending; volumesnapshot-bound-protection on a snapshot bound to a content with
 * deletionPolicy Delete, until the content is gone; volumesnapshotcontent-bound-protection on the content, until
 * the sidecar has deleted the snapshot data; pvc-as-source-protection on the source claim while a snapshot of it is
 * not ready.</li>
 * <li>Deleting a VolumeSnapshot deletes its content and the data with deletionPolicy Delete and keeps both with
 * Retain.</li>
 * </ul>
 */
public final class Snapshots {
    static final String API = "snapshot.storage.k8s.io/v1";
    static final String GROUP = "snapshot.storage.k8s.io";
    static final String DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";
    static final String AS_SOURCE = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
    static final String SNAPSHOT_BOUND = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
    static final String CONTENT_BOUND = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";
    static final String PVC_AS_SOURCE = "snapshot.storage.kubernetes.io/pvc-as-source-protection";

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration creationTime;
    private final Storage storage;
    private final Timeline timeline;
    private final Function<String, List<PostgresProcess>> writersOf;
    /** When the sidecar cut each content's copy: it reports the content ready once the call has taken its time. */
    private final Map<String, Instant> cutAt = new HashMap<>();

    public Snapshots(KubernetesClient client, Clock clock, Duration creationTime, Storage storage, Timeline timeline,
                     Function<String, List<PostgresProcess>> writersOf) {
        this.client = client;
        this.clock = clock;
        this.creationTime = creationTime;
        this.storage = storage;
        this.timeline = timeline;
        this.writersOf = writersOf;
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> snapshots() {
        return client.genericKubernetesResources(API, "VolumeSnapshot");
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> contents() {
        return client.genericKubernetesResources(API, "VolumeSnapshotContent");
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> classes() {
        return client.genericKubernetesResources(API, "VolumeSnapshotClass");
    }

    /** The default VolumeSnapshotClass of the sandbox driver. */
    public void installClass() {
        classes().resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(API).withKind("VolumeSnapshotClass").withNewMetadata().withName(StorageNames.SNAPSHOT_CLASS)
                .addToAnnotations(DEFAULT_CLASS_ANNOTATION, "true").endMetadata()
                .withAdditionalProperties(Map.of("driver", StorageNames.CSI_DRIVER, "deletionPolicy", "Delete")).build())
                .createOr(existing -> existing.update());
    }

    public void reconcile(ClusterView view) {
        List<GenericKubernetesResource> classList = classes().list().getItems();
        Map<String, GenericKubernetesResource> contentsByName = new HashMap<>();
        contents().list().getItems().forEach(c -> contentsByName.put(c.getMetadata().getName(), c));
        for (GenericKubernetesResource snapshot : snapshots().inAnyNamespace().list().getItems()) {
            GenericKubernetesResource content = contentsByName.get(contentName(snapshot));
            if (snapshot.getMetadata().getDeletionTimestamp() != null) {
                deleting(snapshot, content, view);
            } else if (content == null) {
                createContent(snapshot, classList, view);
            } else {
                syncStatus(snapshot, content, view);
            }
        }
        contentsByName.values().stream().filter(c -> StorageNames.CSI_DRIVER.equals(spec(c).get("driver")))
                .forEach(this::sidecar);
    }

    // ---- snapshot controller -----------------------------------------------------------------------------------

    private static String contentName(GenericKubernetesResource snapshot) {
        Object bound = status(snapshot).get("boundVolumeSnapshotContentName");
        return bound instanceof String name ? name : "snapcontent-" + snapshot.getMetadata().getUid();
    }

    private void createContent(GenericKubernetesResource snapshot, List<GenericKubernetesResource> classList,
                               ClusterView view) {
        String ns = snapshot.getMetadata().getNamespace();
        Object claimName = map(spec(snapshot).get("source")).get("persistentVolumeClaimName");
        if (!(claimName instanceof String)) {
            error(snapshot, "SnapshotPVCSourceMissing", "PVC source for snapshot " + ns + "/"
                    + snapshot.getMetadata().getName() + " is missing");
            return;
        }
        Optional<PersistentVolumeClaim> claim = view.claim(ns, (String) claimName);
        Optional<String> pv = claim.map(c -> c.getSpec().getVolumeName()).filter(view.volumes()::containsKey);
        if (pv.isEmpty()) {
            return; // the snapshot controller retries until the claim is bound
        }
        var csi = view.volumes().get(pv.get()).getSpec().getCsi();
        ClassChoice choice = SnapshotClasses.choose((String) spec(snapshot).get("volumeSnapshotClassName"),
                csi.getDriver(), classList);
        if (choice.error() != null) {
            error(snapshot, choice.reason(), choice.error());
            return;
        }
        GenericKubernetesResource snapshotClass = choice.snapshotClass();
        if (spec(snapshot).get("volumeSnapshotClassName") == null) {
            snapshots().inNamespace(ns).withName(snapshot.getMetadata().getName()).edit(s -> {
                specOf(s).put("volumeSnapshotClassName", snapshotClass.getMetadata().getName());
                return s;
            });
        }
        addFinalizer(snapshot, AS_SOURCE);
        if (claim.get().getMetadata().getDeletionTimestamp() == null
                && !claim.get().getMetadata().getFinalizers().contains(PVC_AS_SOURCE)) {
            client.persistentVolumeClaims().inNamespace(ns).withName((String) claimName).edit(c -> {
                c.getMetadata().getFinalizers().add(PVC_AS_SOURCE);
                return c;
            });
        }
        String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
        String deletionPolicy = String.valueOf(snapshotClass.getAdditionalProperties().getOrDefault("deletionPolicy", "Delete"));
        contents().resource(new GenericKubernetesResourceBuilder().withApiVersion(API).withKind("VolumeSnapshotContent")
                .withNewMetadata().withName(contentName).withFinalizers(CONTENT_BOUND).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("deletionPolicy", deletionPolicy,
                        "driver", snapshotClass.getAdditionalProperties().get("driver"),
                        "volumeSnapshotClassName", snapshotClass.getMetadata().getName(),
                        "source", Map.of("volumeHandle", csi.getVolumeHandle()),
                        "volumeSnapshotRef", Map.of("kind", "VolumeSnapshot", "apiVersion", API, "namespace", ns,
                                "name", snapshot.getMetadata().getName(), "uid", snapshot.getMetadata().getUid()))))
                .build()).create();
        snapshots().inNamespace(ns).withName(snapshot.getMetadata().getName()).editStatus(s -> {
            s.getAdditionalProperties().put("status", Map.of("boundVolumeSnapshotContentName", contentName,
                    "readyToUse", false));
            return s;
        });
        timeline.record("snapshot", ns + "/" + snapshot.getMetadata().getName(), "Content " + contentName + " created");
    }

    /** The snapshot's status follows its content's; once ready, the source claim is free to go. */
    private void syncStatus(GenericKubernetesResource snapshot, GenericKubernetesResource content, ClusterView view) {
        Map<?, ?> contentStatus = status(content);
        String ns = snapshot.getMetadata().getNamespace();
        addFinalizer(snapshot, AS_SOURCE);
        if ("Delete".equals(spec(content).get("deletionPolicy"))) {
            addFinalizer(snapshot, SNAPSHOT_BOUND);
        }
        if (!Boolean.TRUE.equals(contentStatus.get("readyToUse")) || Boolean.TRUE.equals(status(snapshot).get("readyToUse"))) {
            return;
        }
        long restoreBytes = ((Number) contentStatus.get("restoreSize")).longValue();
        Instant created = Instant.ofEpochSecond(0, ((Number) contentStatus.get("creationTime")).longValue());
        snapshots().inNamespace(ns).withName(snapshot.getMetadata().getName()).editStatus(s -> {
            Map<String, Object> status = new HashMap<>();
            status.put("boundVolumeSnapshotContentName", content.getMetadata().getName());
            status.put("readyToUse", true);
            status.put("creationTime", created.toString());
            status.put("restoreSize", Quantity.fromNumericalAmount(new java.math.BigDecimal(restoreBytes), "Gi").toString());
            s.getAdditionalProperties().put("status", status);
            return s;
        });
        timeline.record("snapshot", ns + "/" + snapshot.getMetadata().getName(), "ReadyToUse");
        releaseSourceClaim(snapshot, view);
    }

    /** checkandRemovePVCFinalizer: the claim keeps the finalizer while any snapshot of it is still being cut. */
    private void releaseSourceClaim(GenericKubernetesResource done, ClusterView view) {
        String ns = done.getMetadata().getNamespace();
        Object claimName = map(spec(done).get("source")).get("persistentVolumeClaimName");
        boolean otherPending = snapshots().inNamespace(ns).list().getItems().stream()
                .filter(s -> !s.getMetadata().getUid().equals(done.getMetadata().getUid()))
                .filter(s -> claimName.equals(map(spec(s).get("source")).get("persistentVolumeClaimName")))
                .anyMatch(s -> !Boolean.TRUE.equals(status(s).get("readyToUse")));
        Optional<PersistentVolumeClaim> claim = view.claim(ns, (String) claimName);
        if (!otherPending && claim.isPresent() && claim.get().getMetadata().getFinalizers().contains(PVC_AS_SOURCE)) {
            client.persistentVolumeClaims().inNamespace(ns).withName((String) claimName).edit(c -> {
                c.getMetadata().getFinalizers().remove(PVC_AS_SOURCE);
                return c;
            });
        }
    }

    /**
     * processSnapshotWithDeletionTimestamp: wait while a claim is being restored from the snapshot, delete the content
     * with deletionPolicy Delete (its finalizer holds it until the sidecar deleted the data), and let the snapshot go
     * once no content is left to wait for.
     */
    private void deleting(GenericKubernetesResource snapshot, GenericKubernetesResource content, ClusterView view) {
        String ns = snapshot.getMetadata().getNamespace();
        String name = snapshot.getMetadata().getName();
        boolean pointsBack = content != null
                && snapshot.getMetadata().getUid().equals(map(spec(content).get("volumeSnapshotRef")).get("uid"));
        if (pointsBack && restoring(snapshot)) {
            return;
        }
        boolean deleteContent = pointsBack && "Delete".equals(spec(content).get("deletionPolicy"));
        if (deleteContent && content.getMetadata().getDeletionTimestamp() == null) {
            contents().withName(content.getMetadata().getName()).delete();
        }
        releaseSourceClaim(snapshot, view);
        snapshots().inNamespace(ns).withName(name).edit(s -> {
            s.getMetadata().getFinalizers().remove(AS_SOURCE);
            if (!deleteContent) {
                s.getMetadata().getFinalizers().remove(SNAPSHOT_BOUND);
            }
            return s;
        });
        timeline.record("snapshot", ns + "/" + name, deleteContent ? "Deleting with its content"
                : "Deleted, content " + (pointsBack ? "retained" : "none"));
    }

    /**
     * isVolumeBeingCreatedFromSnapshot: a Pending claim names the snapshot as its data source. Read now, not from
     * the pass's view: the view lists claims before snapshots, so a claim created just before the snapshot's deletion
     * could be missing from it.
     */
    private boolean restoring(GenericKubernetesResource snapshot) {
        return client.persistentVolumeClaims().inNamespace(snapshot.getMetadata().getNamespace()).list().getItems()
                .stream()
                .filter(c -> c.getStatus() == null || "Pending".equals(c.getStatus().getPhase()))
                .map(VolumeBinding::dataSource).flatMap(Optional::stream)
                .anyMatch(s -> "VolumeSnapshot".equals(s.kind()) && GROUP.equals(s.apiGroup())
                        && snapshot.getMetadata().getName().equals(s.name()));
    }

    // ---- external-snapshotter sidecar and ceph-csi -------------------------------------------------------------

    private void sidecar(GenericKubernetesResource content) {
        String name = content.getMetadata().getName();
        Map<?, ?> status = status(content);
        if (content.getMetadata().getDeletionTimestamp() != null) {
            if ("Delete".equals(spec(content).get("deletionPolicy"))) {
                storage.delete(storage.snapshot(snapshotHandle(content).toString())); // DeleteSnapshot: csi-snap image gone
            }
            cutAt.remove(name);
            contents().withName(name).edit(c -> {
                c.getMetadata().getFinalizers().remove(CONTENT_BOUND);
                return c;
            });
            timeline.record("snapshotcontent", name, "Deleted");
            return;
        }
        if (status.get("snapshotHandle") != null) {
            return;
        }
        String volumeHandle = (String) map(spec(content).get("source")).get("volumeHandle");
        CsiVolumeHandle snapshotHandle = snapshotHandle(content);
        if (volumeHandle == null || !cut(name, volumeHandle, snapshotHandle)) {
            return;
        }
        Instant created = cutAt.get(name);
        if (clock.instant().isBefore(created.plus(creationTime))) {
            return;
        }
        long restoreSize = storage.imageSize(volumeHandle);
        contents().withName(name).editStatus(c -> {
            c.getAdditionalProperties().put("status", Map.of("readyToUse", true,
                    "snapshotHandle", snapshotHandle.toString(), "restoreSize", restoreSize,
                    "creationTime", created.getEpochSecond() * 1_000_000_000L + created.getNano()));
            return c;
        });
        timeline.record("snapshotcontent", name, "ReadyToUse (" + snapshotHandle.snapshotImageName() + ")");
    }

    /** ceph-csi names the snapshot's image after the request, here the content's (the snapshot's) uid. */
    private static CsiVolumeHandle snapshotHandle(GenericKubernetesResource content) {
        return new CsiVolumeHandle(StorageNames.CLUSTER_ID, StorageNames.POOL_ID,
                content.getMetadata().getName().substring("snapcontent-".length()));
    }

    /** The point-in-time copy, taken once when the sidecar first sees the content; false while the image is gone. */
    private boolean cut(String content, String volumeHandle, CsiVolumeHandle snapshotHandle) {
        if (cutAt.containsKey(content)) {
            return true;
        }
        if (!java.nio.file.Files.isDirectory(storage.volume(volumeHandle))) {
            return false;
        }
        List<PostgresProcess> writers = writersOf.apply(volumeHandle);
        writers.forEach(p -> p.freeze(true));
        try {
            storage.copy(storage.volume(volumeHandle), storage.snapshot(snapshotHandle.toString()));
            // The image holds what reached the OSDs: writes in a node's page cache are not in the snapshot.
            UnsyncedWrites.leaveOut(storage.root().resolve("unsynced"), storage.volume(volumeHandle),
                    storage.snapshot(snapshotHandle.toString()));
        } finally {
            writers.forEach(p -> p.freeze(false));
        }
        cutAt.put(content, clock.instant());
        return true;
    }

    /** The snapshot handle behind a ready snapshot, which a claim's data source may restore from. */
    public Optional<String> readySnapshotHandle(String namespace, String name) {
        GenericKubernetesResource snapshot = snapshots().inNamespace(namespace).withName(name).get();
        if (snapshot == null || !Boolean.TRUE.equals(status(snapshot).get("readyToUse"))) {
            return Optional.empty();
        }
        GenericKubernetesResource content = contents().withName(contentName(snapshot)).get();
        return content == null ? Optional.empty() : Optional.ofNullable((String) status(content).get("snapshotHandle"));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** updateSnapshotErrorStatusWithEvent: status.error with the message, and a Warning event, once per message. */
    private void error(GenericKubernetesResource snapshot, String reason, String message) {
        if (message.equals(map(status(snapshot).get("error")).get("message"))) {
            return;
        }
        String ns = snapshot.getMetadata().getNamespace();
        snapshots().inNamespace(ns).withName(snapshot.getMetadata().getName()).editStatus(s -> {
            Map<String, Object> status = new HashMap<>(status(s).entrySet().stream().collect(
                    java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()), e -> (Object) e.getValue())));
            status.put("error", Map.of("message", message, "time", clock.instant().toString()));
            s.getAdditionalProperties().put("status", status);
            return s;
        });
        client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
                .withName(snapshot.getMetadata().getName() + "." + Long.toHexString(clock.millis())).withNamespace(ns)
                .endMetadata().withInvolvedObject(new ObjectReferenceBuilder().withKind("VolumeSnapshot")
                        .withApiVersion(API).withNamespace(ns).withName(snapshot.getMetadata().getName())
                        .withUid(snapshot.getMetadata().getUid()).build())
                .withType("Warning").withReason(reason).withMessage(message)
                .withLastTimestamp(clock.instant().toString()).build()).create();
        timeline.record("snapshot", ns + "/" + snapshot.getMetadata().getName(), reason + ": " + message);
    }

    private void addFinalizer(GenericKubernetesResource snapshot, String finalizer) {
        if (snapshot.getMetadata().getFinalizers().contains(finalizer)) {
            return;
        }
        snapshots().inNamespace(snapshot.getMetadata().getNamespace()).withName(snapshot.getMetadata().getName())
                .edit(s -> {
                    if (!s.getMetadata().getFinalizers().contains(finalizer)) {
                        s.getMetadata().getFinalizers().add(finalizer);
                    }
                    return s;
                });
        snapshot.getMetadata().getFinalizers().add(finalizer);
    }

    static Map<?, ?> status(GenericKubernetesResource r) {
        return map(r.getAdditionalProperties().get("status"));
    }

    static Map<?, ?> spec(GenericKubernetesResource r) {
        return map(r.getAdditionalProperties().get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> specOf(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().get("spec");
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    /** The class a snapshot is cut with, or the error the snapshot controller reports instead. */
    record ClassChoice(GenericKubernetesResource snapshotClass, String reason, String error) {
    }
}
