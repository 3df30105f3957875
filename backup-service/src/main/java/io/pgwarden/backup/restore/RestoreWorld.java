package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.decide.RestoreDecider;
import io.pgwarden.backup.decide.RestoreView;
import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.ClaimSeen;
import io.pgwarden.backup.decide.RestoreView.JobSeen;
import io.pgwarden.backup.decide.RestoreView.PodSeen;
import io.pgwarden.backup.decide.RestoreView.RestoreSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;
import io.pgwarden.backup.decide.RestoreView.StatefulSetSeen;
import io.pgwarden.backup.decide.RestoreView.VolumeSeen;
import io.pgwarden.backup.rbd.RbdImage;
import io.pgwarden.backup.rbd.RbdJobState;
import io.pgwarden.backup.rbd.RbdSnapshots;
import io.pgwarden.backup.rbd.RbdStep;
import io.pgwarden.contracts.Names;
import io.pgwarden.operations.core.Operation;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what a restore decides on, fresh from the API server and the catalog: the StatefulSet and its pod, the backup
 * and restore rows, the claims it swaps with their volumes and VolumeAttachments, the backup's VolumeSnapshots, the
 * helper Job, and, while the restore waits for the database, the database itself.
 */
@ApplicationScoped
public class RestoreWorld {
    public static final String SNAPSHOT_API = "snapshot.storage.k8s.io/v1";
    private static final String DEFAULT_PGDATA = "/var/lib/postgresql/data";

    private final KubernetesClient client;
    private final BackupCatalog backups;
    private final RestoreRecords restores;
    private final RestoredDatabase database;
    private final RbdSnapshots rbd;

    RestoreWorld(KubernetesClient client, BackupCatalog backups, RestoreRecords restores, RestoredDatabase database,
                 RbdSnapshots rbd) {
        this.rbd = rbd;
        this.client = client;
        this.backups = backups;
        this.restores = restores;
        this.database = database;
    }

    /**
     * @param backupId  the backup restored; for an undo, null: the restore row's
     * @param restoreId the restore's id
     */
    RestoreView observe(String namespace, String name, String backupId, String restoreId, Operation op)
            throws Exception {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        Pod pod = client.pods().inNamespace(namespace).withName(name + "-0").get();
        Optional<RestoreSeen> restore = restores.find(restoreId);
        String id = backupId != null ? backupId : restore.map(RestoreSeen::backupId).orElse(null);
        Optional<BackupSeen> backup = id == null ? Optional.empty() : backups.find(id);

        Set<String> claimNames = new LinkedHashSet<>();
        backup.ifPresent(b -> b.ofRole("data").forEach(s -> claimNames.add(s.claim())));
        restore.ifPresent(r -> claimNames.addAll(r.retained().keySet()));
        claimNames.add(RestoreDecider.scratchClaim(restoreId));
        Map<String, ClaimSeen> claims = new HashMap<>();
        Set<String> volumeNames = new LinkedHashSet<>();
        for (String claimName : claimNames) {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
            if (claim != null) {
                claims.put(claimName, seen(claim));
                if (claim.getSpec().getVolumeName() != null) {
                    volumeNames.add(claim.getSpec().getVolumeName());
                }
            }
        }
        op.data().forEach((k, v) -> {
            if (k.startsWith(RestoreDecider.OLD)) {
                volumeNames.add(v);
            }
        });
        restore.ifPresent(r -> volumeNames.addAll(r.retained().values()));
        Map<String, VolumeSeen> volumes = new HashMap<>();
        for (String volumeName : volumeNames) {
            PersistentVolume pv = client.persistentVolumes().withName(volumeName).get();
            if (pv != null) {
                volumes.put(volumeName, seen(pv));
            }
        }
        Map<String, Boolean> snapshots = new HashMap<>();
        if (backup.filter(b -> !b.rbd()).isPresent()) {
            for (SnapshotSeen s : backup.get().snapshots()) {
                GenericKubernetesResource snapshot = client.genericKubernetesResources(SNAPSHOT_API, "VolumeSnapshot")
                        .inNamespace(namespace).withName(s.snapshot()).get();
                if (snapshot != null && snapshot.getMetadata().getDeletionTimestamp() == null) {
                    snapshots.put(s.snapshot(), snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && Boolean.TRUE.equals(st.get("readyToUse")));
                }
            }
        }
        List<String> attachments = new ArrayList<>();
        if (RestoreDecider.STOPPING.equals(op.phase()) || RestoreDecider.UNSWAPPING.equals(op.phase())) {
            for (VolumeAttachment va : client.storage().v1().volumeAttachments().list().getItems()) {
                if (volumeNames.contains(va.getSpec().getSource().getPersistentVolumeName())) {
                    attachments.add(va.getMetadata().getName());
                }
            }
        }
        Map<String, String> rbdImages = new HashMap<>();
        Map<String, RbdJobState> rbdJobs = new HashMap<>();
        if (backup.filter(BackupSeen::rbd).isPresent()) {
            for (SnapshotSeen s : backup.get().ofRole("data")) {
                try {
                    rbdImages.put(s.claim(), rbd.imageOf(namespace, s.claim()).spec());
                } catch (RbdImage.NotAnRbdVolume e) {
                    // Left out: the decider refuses a claim without the backup's image.
                }
                RbdImage image = RbdImage.ofSnapshotSpec(s.snapshot());
                for (RbdStep step : List.of(
                        RbdStep.takeSafetySnapshot(restoreId, backup.get().id(), s.claim(), image, null),
                        RbdStep.rollBack(restoreId, backup.get().id(), s.claim(), image),
                        RbdStep.undoRollBack(restoreId, backup.get().id(), s.claim(), image))) {
                    RbdJobState state = rbd.observe(step.jobName());
                    if (state.phase() != RbdJobState.Phase.ABSENT) {
                        rbdJobs.put(step.jobName(), state);
                    }
                }
            }
        }
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(RestoreDecider.helperJob(restoreId)).get();
        RestoreView view = new RestoreView(Optional.ofNullable(sts).map(RestoreWorld::seen),
                Optional.ofNullable(pod).map(RestoreWorld::seen), backup, restore, claims, volumes, snapshots,
                attachments, Optional.ofNullable(job).filter(j -> j.getMetadata().getDeletionTimestamp() == null)
                .map(RestoreWorld::seen), Optional.empty(), rbdImages, rbdJobs);
        return RestoreDecider.wantsDatabase(op, view) ? view.withDatabase(database.look(namespace, name)) : view;
    }

    public static StatefulSetSeen seen(StatefulSet sts) {
        Map<String, String> labels = sts.getMetadata().getLabels() == null ? Map.of() : sts.getMetadata().getLabels();
        Map<String, String> annotations = sts.getMetadata().getAnnotations() == null ? Map.of()
                : sts.getMetadata().getAnnotations();
        var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        String pgdata = container.getEnv() == null ? DEFAULT_PGDATA : container.getEnv().stream()
                .filter(e -> "PGDATA".equals(e.getName()) && e.getValue() != null).map(e -> e.getValue()).findFirst()
                .orElse(DEFAULT_PGDATA);
        return new StatefulSetSeen(sts.getMetadata().getNamespace(), sts.getMetadata().getName(),
                "true".equals(labels.get(Names.MANAGED_LABEL)),
                sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas(), annotations, container.getImage(),
                pgdata);
    }

    private static PodSeen seen(Pod pod) {
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return new PodSeen(pod.getMetadata().getName(), pod.getMetadata().getUid(), pod.getSpec().getNodeName(), ready,
                pod.getMetadata().getDeletionTimestamp() != null);
    }

    public static ClaimSeen seen(PersistentVolumeClaim claim) {
        Quantity size = claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null
                ? null : claim.getSpec().getResources().getRequests().get("storage");
        return new ClaimSeen(claim.getMetadata().getName(), claim.getSpec().getVolumeName(),
                claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase()),
                claim.getSpec().getStorageClassName(), Optional.ofNullable(claim.getSpec().getAccessModes())
                .orElse(List.of()), size == null ? null : size.toString(),
                claim.getMetadata().getDeletionTimestamp() != null);
    }

    private static VolumeSeen seen(PersistentVolume pv) {
        var ref = pv.getSpec().getClaimRef();
        Quantity capacity = pv.getSpec().getCapacity() == null ? null : pv.getSpec().getCapacity().get("storage");
        return new VolumeSeen(pv.getMetadata().getName(), pv.getSpec().getPersistentVolumeReclaimPolicy(),
                pv.getStatus() == null ? null : pv.getStatus().getPhase(),
                ref == null ? null : ref.getNamespace() + "/" + ref.getName(), pv.getSpec().getStorageClassName(),
                Optional.ofNullable(pv.getSpec().getAccessModes()).orElse(List.of()),
                capacity == null ? null : capacity.toString());
    }

    public static JobSeen seen(Job job) {
        var status = job.getStatus();
        boolean succeeded = status != null && status.getSucceeded() != null && status.getSucceeded() > 0;
        String failure = status == null || status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason() + ": " + c.getMessage()).findFirst().orElse(null);
        return new JobSeen(job.getMetadata().getName(), succeeded, failure != null, failure);
    }
}
