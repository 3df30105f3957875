package io.pgwarden.backup.take;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.catalog.BackupCatalog;
import io.pgwarden.backup.catalog.BackupRecord;
import io.pgwarden.backup.decide.BackupDecider;
import io.pgwarden.backup.decide.BackupView;
import io.pgwarden.backup.decide.BackupView.ClaimSeen;
import io.pgwarden.backup.decide.DeleteView;
import io.pgwarden.contracts.Names;
import io.pgwarden.database.DatabaseWrites;
import io.pgwarden.database.SecretValues;
import io.pgwarden.operations.core.Operation;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads what a backup decides on, fresh: the StatefulSet, its pod, the claims its database container mounts and their
 * volumes, the snapshot classes, the backup's snapshots, the session, and (a cold backup waiting for its database)
 * the write check.
 */
@Singleton
public class BackupWorld {
    /** Where the postgres image keeps its data unless PGDATA says otherwise. */
    private static final String DEFAULT_PGDATA = "/var/lib/postgresql/data";

    private final KubernetesClient client;
    private final VolumeSnapshots snapshots;
    private final BackupSessions sessions;
    private final BackupCatalog catalog;
    private final DatabaseWrites writes;
    private final RbdBackupSnapshots rbd;

    public BackupWorld(KubernetesClient client, VolumeSnapshots snapshots, BackupSessions sessions,
                       BackupCatalog catalog, DatabaseWrites writes, RbdBackupSnapshots rbd) {
        this.rbd = rbd;
        this.client = client;
        this.snapshots = snapshots;
        this.sessions = sessions;
        this.catalog = catalog;
        this.writes = writes;
    }

    public BackupView observe(String namespace, String name, Instant idTime, Operation op) throws Exception {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        Pod pod = client.pods().inNamespace(namespace).withName(name + "-0").get();
        List<ClaimSeen> claims = sts == null || sts.getSpec() == null ? List.of() : claims(sts);
        boolean starting = Operation.START.equals(op.phase());
        String id = BackupDecider.backupId(name, idTime);
        boolean secretExists = starting && sts != null && Optional.ofNullable(sts.getMetadata().getAnnotations())
                .map(a -> a.get(Names.CREDENTIALS_SECRET_ANNOTATION)).filter(s -> !s.isBlank())
                .flatMap(s -> SecretValues.read(client, namespace, s)).isPresent();
        boolean alreadyExists = starting && catalog.find(id).filter(b -> !b.operationId().equals(op.id()))
                .isPresent();
        List<String> attachments = BackupDecider.STOPPING_DATABASE.equals(op.phase()) ? attachments(claims)
                : List.of();
        List<BackupView.SnapshotSeen> seen = !BackupDecider.usesRbd(op) ? snapshots.of(namespace, id)
                : catalog.find(id).map(rbd::ofRunning).orElse(List.of());
        // The driver is decided at the start, so the start reads both drivers' prerequisites.
        BackupView view = new BackupView(Optional.ofNullable(sts).map(BackupWorld::seen),
                Optional.ofNullable(pod).map(BackupWorld::seen), claims, secretExists,
                starting ? snapshots.classes() : List.of(), seen, attachments,
                sessions.seen(op.id()), Optional.empty(), alreadyExists,
                starting ? rbd.images(namespace, claims) : Map.of());
        return BackupDecider.wantsWrite(op, view) ? view.withWrite(writes.tryWrite(namespace, name)) : view;
    }

    public DeleteView observeDelete(String namespace, String backupId) throws Exception {
        Optional<BackupRecord> backup = catalog.find(backupId);
        Optional<DeleteView.BackupRow> row = backup.map(b -> new DeleteView.BackupRow(b.id(), b.namespace(),
                b.cluster(), b.phase(), b.driver()));
        boolean last = row.isPresent() && catalog.isLastCompleted(backupId);
        if (row.filter(DeleteView.BackupRow::rbd).isPresent()) {
            Map<String, String> remaining = rbd.remaining(backup.get());
            return new DeleteView(row, last, List.copyOf(remaining.values()), remaining,
                    rbd.removalFailures(backup.get()));
        }
        return new DeleteView(row, last, snapshots.of(namespace, backupId).stream()
                .map(BackupView.SnapshotSeen::name).toList());
    }

    /**
     * Every persistentVolumeClaim volume the database container (named postgres, else the first) mounts, as its pod
     * {@code <name>-0} has it: a claim template's {@code <template>-<name>-0}, or a volume's claimName. The claim
     * holding pg_wal is the one mounted where {@code POSTGRES_INITDB_WALDIR} points, else the one holding PGDATA.
     */
    private List<ClaimSeen> claims(StatefulSet sts) {
        PodSpec spec = sts.getSpec().getTemplate() == null ? null : sts.getSpec().getTemplate().getSpec();
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            return List.of();
        }
        Container db = spec.getContainers().stream().filter(c -> "postgres".equals(c.getName())).findFirst()
                .orElse(spec.getContainers().get(0));
        Set<String> templates = sts.getSpec().getVolumeClaimTemplates() == null ? Set.of()
                : sts.getSpec().getVolumeClaimTemplates().stream().map(t -> t.getMetadata().getName())
                .collect(Collectors.toSet());
        Map<String, Volume> volumes = spec.getVolumes() == null ? Map.of() : spec.getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v, (a, b) -> a));
        String walDir = env(db, "POSTGRES_INITDB_WALDIR").orElse(null);
        String pgdata = env(db, "PGDATA").orElse(DEFAULT_PGDATA);
        record Mount(String claim, String path) {
        }
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount m : db.getVolumeMounts() == null ? List.<VolumeMount>of() : db.getVolumeMounts()) {
            Volume v = volumes.get(m.getName());
            if (v != null && v.getPersistentVolumeClaim() != null) {
                mounts.add(new Mount(v.getPersistentVolumeClaim().getClaimName(), m.getMountPath()));
            } else if (v == null && templates.contains(m.getName())) {
                mounts.add(new Mount(m.getName() + "-" + sts.getMetadata().getName() + "-0", m.getMountPath()));
            }
        }
        String walHolder = holder(mounts.stream().map(Mount::path).toList(), walDir)
                .or(() -> holder(mounts.stream().map(Mount::path).toList(), pgdata))
                .orElse(mounts.isEmpty() ? null : mounts.get(0).path());
        String ns = sts.getMetadata().getNamespace();
        List<ClaimSeen> claims = new ArrayList<>();
        for (Mount m : mounts) {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(m.claim()).get();
            Optional<String> volume = Optional.ofNullable(claim).map(c -> c.getSpec().getVolumeName())
                    .filter(v -> !v.isBlank());
            Optional<String> driver = volume.map(v -> client.persistentVolumes().withName(v).get())
                    .map(PersistentVolume::getSpec).map(s -> s.getCsi() == null ? null : s.getCsi().getDriver());
            claims.add(new ClaimSeen(m.claim(), m.path(), m.path().equals(walHolder), volume, driver));
        }
        return claims;
    }

    /** The mount path that holds dir: the longest that is dir or one of its parents. */
    private static Optional<String> holder(List<String> paths, String dir) {
        if (dir == null) {
            return Optional.empty();
        }
        return paths.stream().filter(p -> dir.equals(p) || dir.startsWith(p.endsWith("/") ? p : p + "/"))
                .max((a, b) -> Integer.compare(a.length(), b.length()));
    }

    private static Optional<String> env(Container c, String name) {
        return c.getEnv() == null ? Optional.empty() : c.getEnv().stream().filter(e -> name.equals(e.getName()))
                .map(EnvVar::getValue).filter(v -> v != null && !v.isBlank()).findFirst();
    }

    private List<String> attachments(List<ClaimSeen> claims) {
        Set<String> volumes = claims.stream().flatMap(c -> c.volume().stream()).collect(Collectors.toSet());
        return client.storage().v1().volumeAttachments().list().getItems().stream()
                .filter(va -> volumes.contains(va.getSpec().getSource().getPersistentVolumeName()))
                .map(VolumeAttachment::getMetadata).map(m -> m.getName()).toList();
    }

    private static BackupView.StatefulSetSeen seen(StatefulSet sts) {
        Map<String, String> labels = sts.getMetadata().getLabels() == null ? Map.of() : sts.getMetadata().getLabels();
        Map<String, String> annotations = sts.getMetadata().getAnnotations() == null ? Map.of()
                : sts.getMetadata().getAnnotations();
        int replicas = sts.getSpec() == null || sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        return new BackupView.StatefulSetSeen(sts.getMetadata().getNamespace(), sts.getMetadata().getName(),
                "true".equals(labels.get(Names.MANAGED_LABEL)), replicas, annotations);
    }

    private static BackupView.PodSeen seen(Pod pod) {
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return new BackupView.PodSeen(pod.getMetadata().getName(), ready,
                pod.getMetadata().getDeletionTimestamp() != null);
    }
}
