package io.pgwarden.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each VolumeSnapshot of a namespace was created, cut and ready, as this program saw its changes arrive (the
 * sandbox runs in the same JVM: within milliseconds of the API server's change). The cut is the snapshot's own
 * {@code status.creationTime} (external-snapshotter: the time the storage took the point-in-time copy); created and
 * ready are the arrivals of the object and of {@code status.readyToUse: true}, since the object records neither to
 * the millisecond.
 */
final class SnapshotTimes implements AutoCloseable {

    /** One VolumeSnapshot: its backup's label, role, and the instants seen so far. */
    record Snapshot(String name, String backupId, String role, Instant created, Instant cut, Instant ready) {
    }

    private final Map<String, Snapshot> byName = new ConcurrentHashMap<>();
    private final SharedIndexInformer<GenericKubernetesResource> informer;

    SnapshotTimes(KubernetesClient client, String namespace) {
        informer = client.genericKubernetesResources("snapshot.storage.k8s.io/v1", "VolumeSnapshot")
                .inNamespace(namespace).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource snapshot) {
                        seen(snapshot);
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource snapshot) {
                        seen(snapshot);
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource snapshot, boolean finalStateUnknown) {
                        // kept: a deleted backup's figures were taken already
                    }
                }, 0);
    }

    private void seen(GenericKubernetesResource snapshot) {
        Instant now = Instant.now();
        Map<String, String> labels = snapshot.getMetadata().getLabels() == null ? Map.of()
                : snapshot.getMetadata().getLabels();
        Object statusValue = snapshot.getAdditionalProperties().get("status");
        Map<?, ?> status = statusValue instanceof Map<?, ?> m ? m : Map.of();
        byName.compute(snapshot.getMetadata().getName(), (name, known) -> {
            Instant created = known == null ? now : known.created();
            Instant cut = known != null && known.cut() != null ? known.cut()
                    : status.get("creationTime") == null ? null : Instant.parse(status.get("creationTime").toString());
            Instant ready = known != null && known.ready() != null ? known.ready()
                    : Boolean.TRUE.equals(status.get("readyToUse")) ? now : null;
            return new Snapshot(name, labels.get("pgwarden.io/backup"), labels.get("pgwarden.io/snapshot-role"),
                    created, cut, ready);
        });
    }

    /** The snapshots of one backup (by its label), as seen so far. */
    List<Snapshot> ofBackup(String backupId) {
        return byName.values().stream().filter(s -> backupId.equals(s.backupId())).toList();
    }

    /** The name's snapshot, if seen. */
    Optional<Snapshot> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public void close() {
        informer.close();
    }
}
