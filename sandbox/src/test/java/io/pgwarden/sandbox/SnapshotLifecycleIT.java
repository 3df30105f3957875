package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The snapshot lifecycle as the external-snapshotter runs it: a missing class is an error and never ready; the
 * default class is filled in; readyToUse comes with restoreSize, creationTime and the bound content; deleting a
 * snapshot deletes its content and data with deletionPolicy Delete and keeps them with Retain; a snapshot a claim is
 * being restored from is not deleted until that claim is no longer Pending.
 */
class SnapshotLifecycleIT {
    private static final String API = "snapshot.storage.k8s.io/v1";
    private static final String NS = "default";

    @Test
    void snapshotsAreValidatedCutAndDeletedByTheirPolicy() throws Exception {
        Path dir = Files.createTempDirectory("sandbox-it");
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(dir))) {
            KubernetesClient client = sandbox.client();
            claim(client, "source", StorageNames.STORAGE_CLASS, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> client.persistentVolumeClaims().inNamespace(NS)
                    .withName("source").get().getSpec().getVolumeName() != null);

            snapshot(client, "no-class", "missing");
            await("the missing class is reported").atMost(Duration.ofSeconds(10)).until(() ->
                    String.valueOf(map(status(get(client, "no-class")).get("error")).get("message")).contains(
                            "volumesnapshotclass.snapshot.storage.k8s.io \"missing\" not found"));
            await("never ready").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> !Boolean.TRUE.equals(status(get(client, "no-class")).get("readyToUse")));

            snapshot(client, "deleted", null);
            GenericKubernetesResource ready = awaitReady(client, "deleted");
            assertThat(((Map<?, ?>) ready.getAdditionalProperties().get("spec")).get("volumeSnapshotClassName"))
                    .isEqualTo(StorageNames.SNAPSHOT_CLASS);
            assertThat(status(ready).get("restoreSize")).isEqualTo("1Gi");
            assertThat(status(ready).get("creationTime")).isNotNull();
            assertThat(status(ready).get("boundVolumeSnapshotContentName")).isEqualTo("snapcontent-" + ready.getMetadata().getUid());
            assertThat(ready.getMetadata().getFinalizers()).contains(
                    "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection",
                    "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection");
            String deletedContent = "snapcontent-" + ready.getMetadata().getUid();
            assertThat(contents(client).withName(deletedContent).get().getMetadata().getFinalizers())
                    .contains("snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection");
            Path deletedData = snapshotData(dir, client, deletedContent);
            assertThat(deletedData).isDirectory();

            client.genericKubernetesResources(API, "VolumeSnapshotClass").resource(new GenericKubernetesResourceBuilder()
                    .withApiVersion(API).withKind("VolumeSnapshotClass").withNewMetadata().withName("retain").endMetadata()
                    .withAdditionalProperties(Map.of("driver", StorageNames.CSI_DRIVER, "deletionPolicy", "Retain"))
                    .build()).create();
            snapshot(client, "retained", "retain");
            String retainedContent = "snapcontent-" + awaitReady(client, "retained").getMetadata().getUid();
            Path retainedData = snapshotData(dir, client, retainedContent);

            snapshots(client).inNamespace(NS).withName("deleted").delete();
            snapshots(client).inNamespace(NS).withName("retained").delete();
            await("Delete: snapshot, content and data gone").atMost(Duration.ofSeconds(10)).until(() ->
                    get(client, "deleted") == null && contents(client).withName(deletedContent).get() == null
                            && !Files.exists(deletedData));
            await("Retain: the snapshot goes, its content stays").atMost(Duration.ofSeconds(10))
                    .until(() -> get(client, "retained") == null);
            assertThat(contents(client).withName(retainedContent).get()).isNotNull();
            assertThat(retainedData).isDirectory();

            snapshot(client, "in-use", null);
            awaitReady(client, "in-use");
            claim(client, "restoring", "a-class-nobody-provisions", "in-use"); // stays Pending
            snapshots(client).inNamespace(NS).withName("in-use").delete();
            await("kept while a claim is being restored from it").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> get(client, "in-use") != null);
            client.persistentVolumeClaims().inNamespace(NS).withName("restoring").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(client, "in-use") == null);
        }
    }

    private static void claim(KubernetesClient client, String name, String storageClass, String fromSnapshot) {
        var spec = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(storageClass)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources();
        if (fromSnapshot != null) {
            spec.withNewDataSourceRef().withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot")
                    .withName(fromSnapshot).endDataSourceRef();
        }
        client.persistentVolumeClaims().inNamespace(NS).resource(spec.endSpec().build()).create();
    }

    private static void snapshot(KubernetesClient client, String name, String snapshotClass) {
        Map<String, Object> spec = new HashMap<>(Map.of("source", Map.of("persistentVolumeClaimName", "source")));
        if (snapshotClass != null) {
            spec.put("volumeSnapshotClassName", snapshotClass);
        }
        snapshots(client).inNamespace(NS).resource(new GenericKubernetesResourceBuilder().withApiVersion(API)
                .withKind("VolumeSnapshot").withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build()).create();
    }

    private static GenericKubernetesResource awaitReady(KubernetesClient client, String name) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(status(get(client, name)).get("readyToUse")));
        return get(client, name);
    }

    private static Path snapshotData(Path dir, KubernetesClient client, String content) {
        Object handle = map(contents(client).withName(content).get().getAdditionalProperties().get("status"))
                .get("snapshotHandle");
        assertThat(handle).isInstanceOf(String.class);
        return dir.resolve("snapshots").resolve((String) handle);
    }

    private static GenericKubernetesResource get(KubernetesClient client, String name) {
        return snapshots(client).inNamespace(NS).withName(name).get();
    }

    private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> snapshots(KubernetesClient client) {
        return client.genericKubernetesResources(API, "VolumeSnapshot");
    }

    private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> contents(KubernetesClient client) {
        return client.genericKubernetesResources(API, "VolumeSnapshotContent");
    }

    private static Map<?, ?> status(GenericKubernetesResource r) {
        return r == null ? Map.of() : map(r.getAdditionalProperties().get("status"));
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }
}
