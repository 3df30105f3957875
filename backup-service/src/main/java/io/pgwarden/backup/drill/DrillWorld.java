package io.pgwarden.backup.drill;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.backup.decide.DrillDecider;
import io.pgwarden.backup.decide.DrillView;
import io.pgwarden.backup.decide.DrillView.PodSeen;
import io.pgwarden.backup.decide.RestoreView.BackupSeen;
import io.pgwarden.backup.decide.RestoreView.ClaimSeen;
import io.pgwarden.backup.decide.RestoreView.JobSeen;
import io.pgwarden.backup.decide.RestoreView.SnapshotSeen;
import io.pgwarden.backup.restore.BackupCatalog;
import io.pgwarden.backup.restore.RestoreWorld;
import io.pgwarden.backup.schedule.BackupSchedule;
import io.pgwarden.backup.schedule.Schedules;
import io.pgwarden.operations.core.Operation;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what a drill decides on, fresh from the API server and the catalog: the StatefulSet, the backup's row, the
 * database's claims and the backup's snapshots, the schedule's SQL check, and whatever carries the drill's label
 * (scratch claims, Jobs, pods), then the throw-away PostgreSQL's answers while the drill waits for them.
 */
@ApplicationScoped
public class DrillWorld {
    private final KubernetesClient client;
    private final BackupCatalog backups;
    private final Schedules schedules;
    private final DrillDatabase database;

    DrillWorld(KubernetesClient client, BackupCatalog backups, Schedules schedules, DrillDatabase database) {
        this.client = client;
        this.backups = backups;
        this.schedules = schedules;
        this.database = database;
    }

    DrillView observe(String namespace, String name, String backupId, Operation op) throws Exception {
        StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
        Optional<BackupSeen> backup = backups.find(backupId);
        Map<String, ClaimSeen> claims = new HashMap<>();
        Map<String, Boolean> snapshots = new HashMap<>();
        if (backup.isPresent()) {
            for (SnapshotSeen s : backup.get().snapshots()) {
                if (Operation.START.equals(op.phase()) && !claims.containsKey(s.claim())) {
                    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace)
                            .withName(s.claim()).get();
                    if (claim != null) {
                        claims.put(s.claim(), RestoreWorld.seen(claim));
                    }
                }
                GenericKubernetesResource snapshot = client.genericKubernetesResources(RestoreWorld.SNAPSHOT_API,
                        "VolumeSnapshot").inNamespace(namespace).withName(s.snapshot()).get();
                if (snapshot != null && snapshot.getMetadata().getDeletionTimestamp() == null) {
                    snapshots.put(s.snapshot(), snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                            && Boolean.TRUE.equals(st.get("readyToUse")));
                }
            }
        }
        Map<String, ClaimSeen> scratch = new HashMap<>();
        for (PersistentVolumeClaim c : client.persistentVolumeClaims().inNamespace(namespace)
                .withLabel(DrillDecider.DRILL_LABEL, op.id()).list().getItems()) {
            scratch.put(c.getMetadata().getName(), RestoreWorld.seen(c));
        }
        Map<String, JobSeen> jobs = new HashMap<>();
        for (Job j : client.batch().v1().jobs().inNamespace(namespace).withLabel(DrillDecider.DRILL_LABEL, op.id())
                .list().getItems()) {
            jobs.put(j.getMetadata().getName(), RestoreWorld.seen(j));
        }
        Map<String, PodSeen> pods = new HashMap<>();
        Map<String, Pod> podObjects = new HashMap<>();
        for (Pod p : client.pods().inNamespace(namespace).withLabel(DrillDecider.DRILL_LABEL, op.id()).list()
                .getItems()) {
            pods.put(p.getMetadata().getName(), seen(p));
            podObjects.put(p.getMetadata().getName(), p);
        }
        Optional<String> sql = schedules.find(namespace, name).map(BackupSchedule::drillSql)
                .filter(s -> !s.isBlank());
        DrillView view = new DrillView(Optional.ofNullable(sts).map(RestoreWorld::seen), backup, claims, snapshots,
                scratch, jobs, pods, sql, Optional.empty());
        if (DrillDecider.wantsDatabase(op, view)) {
            return view.withDatabase(database.look(namespace, name, podObjects.get(DrillDecider.pod(op.id())), sql));
        }
        return view;
    }

    private static PodSeen seen(Pod pod) {
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        ContainerStatus container = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                || pod.getStatus().getContainerStatuses().isEmpty() ? null : pod.getStatus().getContainerStatuses().get(0);
        String state = null;
        if (container != null && container.getState() != null) {
            if (container.getState().getWaiting() != null) {
                state = "waiting: " + container.getState().getWaiting().getReason();
            } else if (container.getState().getTerminated() != null) {
                state = "terminated: " + container.getState().getTerminated().getReason() + ", exit code "
                        + container.getState().getTerminated().getExitCode();
            }
        }
        return new PodSeen(pod.getMetadata().getName(), pod.getSpec().getNodeName(),
                pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase(), ready,
                pod.getMetadata().getDeletionTimestamp() != null,
                container == null || container.getRestartCount() == null ? 0 : container.getRestartCount(), state);
    }
}
