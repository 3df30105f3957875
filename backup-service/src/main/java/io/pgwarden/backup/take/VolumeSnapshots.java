package io.pgwarden.backup.take;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.backup.decide.BackupAction;
import io.pgwarden.backup.decide.BackupView;
import io.pgwarden.contracts.Names;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * VolumeSnapshots (snapshot.storage.k8s.io/v1) and their classes, as the external-snapshotter defines them
 * (kubernetes-csi/external-snapshotter {@code client/apis/volumesnapshot/v1/types.go}): a snapshot is cut when its
 * {@code status.creationTime} is set, usable when {@code status.readyToUse}.
 */
@Singleton
public class VolumeSnapshots {
    /** Named outright, so no discovery call is needed (and a cluster without the CRDs answers 404, not an error). */
    private static final ResourceDefinitionContext SNAPSHOT = new ResourceDefinitionContext.Builder()
            .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshot")
            .withPlural("volumesnapshots").withNamespaced(true).build();
    private static final ResourceDefinitionContext SNAPSHOT_CLASS = new ResourceDefinitionContext.Builder()
            .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshotClass")
            .withPlural("volumesnapshotclasses").withNamespaced(false).build();
    /** Which of a backup's snapshots this is: {@code data} or {@code wal-tail}. */
    static final String ROLE_LABEL = "pgwarden.io/snapshot-role";
    static final String DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;

    public VolumeSnapshots(KubernetesClient client) {
        this.client = client;
    }

    public void create(BackupAction.CreateSnapshot a) {
        GenericKubernetesResource snapshot = new GenericKubernetesResourceBuilder().withApiVersion("snapshot.storage.k8s.io/v1")
                .withKind("VolumeSnapshot").withNewMetadata().withName(a.name()).withNamespace(a.namespace())
                .withLabels(Map.of(Names.BACKUP_ID_LABEL, a.backupId(), ROLE_LABEL, a.role()))
                .withAnnotations(a.annotations()).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("volumeSnapshotClassName", a.snapshotClass(),
                        "source", Map.of("persistentVolumeClaimName", a.claim())))).build();
        try {
            snapshots().inNamespace(a.namespace()).resource(snapshot).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    public List<BackupView.SnapshotSeen> of(String namespace, String backupId) {
        return snapshots().inNamespace(namespace).withLabel(Names.BACKUP_ID_LABEL, backupId).list().getItems()
                .stream().map(VolumeSnapshots::seen).toList();
    }

    public void annotate(String namespace, String backupId, Map<String, String> annotations) throws Exception {
        String patch = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", annotations)));
        for (GenericKubernetesResource s : snapshots().inNamespace(namespace)
                .withLabel(Names.BACKUP_ID_LABEL, backupId).list().getItems()) {
            snapshots().inNamespace(namespace).withName(s.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        }
    }

    public void deleteAll(String namespace, String backupId) {
        snapshots().inNamespace(namespace).withLabel(Names.BACKUP_ID_LABEL, backupId).delete();
    }

    public List<BackupView.ClassSeen> classes() {
        return client.genericKubernetesResources(SNAPSHOT_CLASS).list().getItems().stream()
                .map(c -> new BackupView.ClassSeen(c.getMetadata().getName(),
                        String.valueOf(c.getAdditionalProperties().get("driver")),
                        c.getMetadata().getAnnotations() != null
                                && "true".equals(c.getMetadata().getAnnotations().get(DEFAULT_CLASS_ANNOTATION))))
                .toList();
    }

    private static BackupView.SnapshotSeen seen(GenericKubernetesResource s) {
        Map<?, ?> spec = map(s.getAdditionalProperties().get("spec"));
        Map<?, ?> status = map(s.getAdditionalProperties().get("status"));
        Map<String, String> labels = s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
        Optional<String> creationTime = Optional.ofNullable(status.get("creationTime")).map(String::valueOf);
        Optional<Long> size = Optional.ofNullable(status.get("restoreSize"))
                .map(q -> Quantity.getAmountInBytes(new Quantity(String.valueOf(q))).longValue());
        return new BackupView.SnapshotSeen(s.getMetadata().getName(),
                String.valueOf(map(spec.get("source")).get("persistentVolumeClaimName")),
                labels.getOrDefault(ROLE_LABEL, "data"), creationTime.isPresent(),
                Boolean.TRUE.equals(status.get("readyToUse")), size,
                Optional.ofNullable(status.get("boundVolumeSnapshotContentName")).map(String::valueOf), creationTime,
                Optional.ofNullable(map(status.get("error")).get("message")).map(String::valueOf));
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> snapshots() {
        return client.genericKubernetesResources(SNAPSHOT);
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }
}
