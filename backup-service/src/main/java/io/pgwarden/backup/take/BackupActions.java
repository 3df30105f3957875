package io.pgwarden.backup.take;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.backup.catalog.BackupCatalog;
import io.pgwarden.backup.decide.BackupAction;
import jakarta.inject.Singleton;

import java.util.Map;

/** Applies a backup's actions: the Kubernetes API, the backup session, the catalog, the metrics. */
@Singleton
public class BackupActions {
    /** Keeps nulls, which a merge patch needs to remove an annotation. */
    private static final ObjectMapper PATCH = new ObjectMapper();

    private final KubernetesClient client;
    private final VolumeSnapshots snapshots;
    private final BackupSessions sessions;
    private final BackupCatalog catalog;
    private final BackupMetrics metrics;
    private final RbdBackupSnapshots rbd;

    public BackupActions(KubernetesClient client, VolumeSnapshots snapshots, BackupSessions sessions,
                         BackupCatalog catalog, BackupMetrics metrics, RbdBackupSnapshots rbd) {
        this.rbd = rbd;
        this.client = client;
        this.snapshots = snapshots;
        this.sessions = sessions;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    public void apply(BackupAction action, String namespace, String cluster) throws Exception {
        if (action instanceof BackupAction.RecordStarted a) {
            catalog.recordStarted(a);
        } else if (action instanceof BackupAction.StartSession a) {
            sessions.start(a.operationId(), a.namespace(), a.cluster(), a.label());
        } else if (action instanceof BackupAction.StopSession a) {
            sessions.stop(a.operationId());
        } else if (action instanceof BackupAction.CloseSession a) {
            sessions.close(a.operationId());
        } else if (action instanceof BackupAction.CreateSnapshot a) {
            catalog.recordSnapshot(a);
            snapshots.create(a);
        } else if (action instanceof BackupAction.CreateRbdSnapshot a) {
            // The row first: it is what a later look and a cleanup find the snapshot by.
            catalog.recordSnapshot(a.row());
            rbd.start(a.step());
        } else if (action instanceof BackupAction.RemoveRbdSnapshots a) {
            a.steps().forEach(rbd::start);
        } else if (action instanceof BackupAction.AnnotateSnapshots a) {
            snapshots.annotate(a.namespace(), a.backupId(), a.annotations());
        } else if (action instanceof BackupAction.RecordLsns a) {
            catalog.recordLsns(a);
        } else if (action instanceof BackupAction.RecordCompleted a) {
            if (catalog.recordCompleted(a)) {
                metrics.completed(namespace, cluster, a.method(), a.driver(), a.millis(), a.completedAt());
            }
        } else if (action instanceof BackupAction.RecordFailed a) {
            if (catalog.recordFailed(a)) {
                metrics.failed(a.method(), a.driver(), a.millis());
            }
        } else if (action instanceof BackupAction.DeleteSnapshots a) {
            snapshots.deleteAll(a.namespace(), a.backupId());
        } else if (action instanceof BackupAction.RecordDeleted a) {
            catalog.recordDeleted(a.backupId());
        } else if (action instanceof BackupAction.Scale a) {
            client.apps().statefulSets().inNamespace(a.namespace()).withName(a.statefulSet()).scale(a.replicas());
        } else if (action instanceof BackupAction.Annotate a) {
            client.apps().statefulSets().inNamespace(a.namespace()).withName(a.statefulSet()).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    PATCH.writeValueAsString(Map.of("metadata", Map.of("annotations", a.annotations()))));
        }
    }
}
