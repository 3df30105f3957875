package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.pgwarden.sandbox.StorageNames;
import io.pgwarden.sandbox.postgres.PostgresProcess;
import io.pgwarden.sandbox.postgres.UnsyncedWrites;
import io.pgwarden.sandbox.record.Timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The CSI external-snapshotter and snapshot controller (snapshot.storage.k8s.io/v1): a VolumeSnapshot of a bound
 * claim gets a VolumeSnapshotContent and becomes readyToUse once the copy of the volume is taken. The copy is
 * crash-consistent, as an RBD snapshot is: the PostgreSQL processes on the volume are frozen (SIGSTOP, like
 * fsfreeze) while the directory is copied, so a server started on a restore recovers as after a crash.
 */
public final class Snapshots {
    private static final String API = "snapshot.storage.k8s.io/v1";
    private final KubernetesClient client;
    private final Clock clock;
    private final Storage storage;
    private final Timeline timeline;
    private final Function<String, List<PostgresProcess>> writersOf;

    public Snapshots(KubernetesClient client, Clock clock, Storage storage, Timeline timeline,
                     Function<String, List<PostgresProcess>> writersOf) {
        this.client = client;
        this.clock = clock;
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

    /** The default VolumeSnapshotClass of the sandbox driver. */
    public void installClass() {
        client.genericKubernetesResources(API, "VolumeSnapshotClass").resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(API).withKind("VolumeSnapshotClass").withNewMetadata().withName(StorageNames.SNAPSHOT_CLASS)
                .addToAnnotations("snapshot.storage.kubernetes.io/is-default-class", "true").endMetadata()
                .withAdditionalProperties(Map.of("driver", StorageNames.CSI_DRIVER, "deletionPolicy", "Delete")).build())
                .createOr(existing -> existing.update());
    }

    public void reconcile(ClusterView view) {
        for (GenericKubernetesResource snapshot : snapshots().inAnyNamespace().list().getItems()) {
            if (Boolean.TRUE.equals(status(snapshot).get("readyToUse"))) {
                continue;
            }
            String ns = snapshot.getMetadata().getNamespace();
            String claimName = (String) ((Map<?, ?>) ((Map<?, ?>) snapshot.getAdditionalProperties().get("spec"))
                    .get("source")).get("persistentVolumeClaimName");
            Optional<String> pv = view.claim(ns, claimName).map(c -> c.getSpec().getVolumeName());
            if (pv.isEmpty()) {
                continue;
            }
            take(snapshot, pv.get());
        }
    }

    private void take(GenericKubernetesResource snapshot, String pv) {
        String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
        Path target = storage.snapshot(contentName);
        List<PostgresProcess> writers = writersOf.apply(pv);
        writers.forEach(p -> p.freeze(true));
        try {
            copy(storage.volume(pv), target);
            // The image holds what reached the OSDs: writes in a node's page cache are not in the snapshot.
            UnsyncedWrites.leaveOut(storage.root().resolve("unsynced"), storage.volume(pv), target);
        } finally {
            writers.forEach(p -> p.freeze(false));
        }
        String now = clock.instant().toString();
        contents().resource(new GenericKubernetesResourceBuilder().withApiVersion(API).withKind("VolumeSnapshotContent")
                .withNewMetadata().withName(contentName).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("deletionPolicy", "Delete", "driver", StorageNames.CSI_DRIVER,
                        "volumeSnapshotClassName", StorageNames.SNAPSHOT_CLASS, "source", Map.of("volumeHandle", pv),
                        "volumeSnapshotRef", Map.of("kind", "VolumeSnapshot", "namespace",
                                snapshot.getMetadata().getNamespace(), "name", snapshot.getMetadata().getName(),
                                "uid", snapshot.getMetadata().getUid())))).build()).create();
        contents().withName(contentName).editStatus(c -> {
            c.getAdditionalProperties().put("status", Map.of("readyToUse", true, "snapshotHandle", contentName,
                    "creationTime", clock.millis() * 1_000_000L));
            return c;
        });
        snapshots().inNamespace(snapshot.getMetadata().getNamespace()).withName(snapshot.getMetadata().getName())
                .editStatus(s -> {
                    s.getAdditionalProperties().put("status", Map.of("boundVolumeSnapshotContentName", contentName,
                            "readyToUse", true, "creationTime", now));
                    return s;
                });
        timeline.record("snapshot", snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName(),
                "ReadyToUse (" + pv + ")");
    }

    /** The content behind a ready snapshot, which a claim's dataSource may restore from. */
    Optional<String> readyContent(String namespace, String name) {
        GenericKubernetesResource snapshot = snapshots().inNamespace(namespace).withName(name).get();
        if (snapshot == null || !Boolean.TRUE.equals(status(snapshot).get("readyToUse"))) {
            return Optional.empty();
        }
        return Optional.ofNullable((String) status(snapshot).get("boundVolumeSnapshotContentName"));
    }

    void restore(String content, Path volume) {
        copy(storage.snapshot(content), volume);
        Path pid = volume.resolve("pgdata").resolve("postmaster.pid");
        try {
            Files.deleteIfExists(pid); // the frozen postmaster's lock; no process of the restored volume exists
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<?, ?> status(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? m : Map.of();
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    if (!Files.exists(target)) {
                        Files.createDirectories(target.getParent());
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } else if (Files.isRegularFile(source)) {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }
}
