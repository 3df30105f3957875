package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.backup.decide.RestoreAction;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The Kubernetes writes a restore and a drill share: claims from snapshots, the helper Job, Events. Idempotent. */
public final class KubernetesWrites {
    private final KubernetesClient client;
    private final Clock clock;

    public KubernetesWrites(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    static PersistentVolumeClaimBuilder claim(String namespace, String name, String storageClass,
                                              List<String> accessModes, String size) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withStorageClassName(storageClass).withAccessModes(accessModes).withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec();
    }

    /** A claim restored from a VolumeSnapshot ({@code dataSource}), with the labels given. */
    public void createClaimFromSnapshot(String namespace, String name, String snapshot, String storageClass,
                                        List<String> accessModes, String size, Map<String, String> labels) {
        createIfAbsent(namespace, claim(namespace, name, storageClass, accessModes, size).editMetadata()
                .addToLabels(labels).endMetadata().editSpec().withNewDataSource()
                .withApiGroup("snapshot.storage.k8s.io").withKind("VolumeSnapshot").withName(snapshot)
                .endDataSource().endSpec().build());
    }

    /** Creates the object in the namespace; one that exists already (a repeated action) is left as it is. */
    public void createIfAbsent(String namespace, HasMetadata object) {
        try {
            client.resource(object).inNamespace(namespace).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** The database's image running {@code sh -c}, once (restartPolicy Never, no retry: a failure is reported). */
    public void createHelperJob(RestoreAction.CreateHelperJob j) {
        JobBuilder job = new JobBuilder().withNewMetadata().withName(j.job()).withNamespace(j.namespace())
                .addToLabels(j.label(), j.labelValue()).endMetadata().withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewMetadata().addToLabels(j.label(), j.labelValue()).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("restore").withImage(j.image())
                .withCommand("sh", "-c", j.script())
                .withEnv(j.env().entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
                .withVolumeMounts(j.mounts().entrySet().stream().map(m -> new VolumeMountBuilder()
                        .withName(volumeName(m.getKey())).withMountPath(m.getValue()).build()).toList())
                .endContainer()
                .withVolumes(j.mounts().keySet().stream().map(claim -> new VolumeBuilder().withName(volumeName(claim))
                        .withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim().build()).toList())
                .endSpec().endTemplate().endSpec();
        createIfAbsent(j.namespace(), job.build());
    }

    /** A pod volume's name: a DNS label, unique per claim. */
    public static String volumeName(String claim) {
        return "v-" + UUID.nameUUIDFromBytes(claim.getBytes(StandardCharsets.UTF_8)).toString().substring(0, 8);
    }

    /** A Kubernetes Event on the StatefulSet. */
    public void announce(String namespace, String statefulSet, String reason, String message, boolean warning) {
        Instant now = Instant.now(clock);
        var sts = client.apps().statefulSets().inNamespace(namespace).withName(statefulSet).get();
        client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
                .withGenerateName(statefulSet + ".").withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withKind("StatefulSet").withApiVersion("apps/v1").withNamespace(namespace)
                .withName(statefulSet).withUid(sts == null ? null : sts.getMetadata().getUid()).endInvolvedObject()
                .withReason(reason).withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                .withType(warning ? "Warning" : "Normal")
                .withFirstTimestamp(ZonedDateTime.ofInstant(now, ZoneOffset.UTC).toString())
                .withLastTimestamp(ZonedDateTime.ofInstant(now, ZoneOffset.UTC).toString()).withCount(1)
                .withNewSource().withComponent("pgwarden-backup-service").endSource().build()).create();
    }
}
