package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.HttpURLConnection;
import java.util.Comparator;
import java.util.Objects;

/**
 * The rbd snapshot driver's port to Kubernetes: the RBD image of a claim, and each {@link RbdStep} as a Job in the
 * Rook cluster's namespace. Nothing here waits: an operation starts a step, persists its Job's name, and observes it
 * on its next turns until it finished, then deletes it.
 */
@ApplicationScoped
public class RbdSnapshots {
    private final KubernetesClient client;
    private final RbdConfig config;

    public RbdSnapshots(KubernetesClient client, RbdConfig config) {
        this.client = client;
        this.config = config;
    }

    /**
     * The RBD image behind a bound claim. Throws {@link RbdImage.NotAnRbdVolume}, saying why, for a claim that is not
     * bound or whose volume is not a ceph-csi RBD volume of the toolbox's Ceph cluster.
     */
    public RbdImage imageOf(String namespace, String claim) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
        String volume = pvc == null || pvc.getSpec() == null ? null : pvc.getSpec().getVolumeName();
        if (volume == null || volume.isEmpty()) {
            throw new RbdImage.NotAnRbdVolume("claim " + namespace + "/" + claim + (pvc == null ? " does not exist"
                    : " is not bound to a volume"));
        }
        PersistentVolume pv = client.persistentVolumes().withName(volume).get();
        if (pv == null) {
            throw new RbdImage.NotAnRbdVolume("claim " + namespace + "/" + claim + " names PV " + volume
                    + ", which does not exist");
        }
        return RbdImage.of(pv, config.clusterId());
    }

    /**
     * Creates the step's Job unless it exists (a run after a crash finds the Job it started; a second Job is never
     * started) and answers its state. A Job of that name for another command fails the step, saying so.
     */
    public RbdJobState start(RbdStep step) {
        try {
            client.batch().v1().jobs().inNamespace(config.namespace()).resource(RbdJobs.job(step, config)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            Job existing = job(step.jobName());
            String snapshot = existing == null || existing.getMetadata().getAnnotations() == null ? null
                    : existing.getMetadata().getAnnotations().get(RbdJobs.SNAPSHOT_ANNOTATION);
            String action = existing == null || existing.getMetadata().getAnnotations() == null ? null
                    : existing.getMetadata().getAnnotations().get(RbdJobs.ACTION_ANNOTATION);
            if (existing != null && (!step.snapshotSpec().equals(snapshot) || !step.action().word().equals(action))) {
                return RbdJobState.failed(step.jobName(), "Job " + config.namespace() + "/" + step.jobName()
                        + " exists for rbd snap " + action + " " + snapshot + ", not for rbd snap "
                        + step.action().word() + " " + step.snapshotSpec());
            }
        }
        return observe(step.jobName());
    }

    /** The state of the Job {@code name}, with rbd's error when it failed. */
    public RbdJobState observe(String name) {
        Job job = job(name);
        return RbdJobs.state(name, job, job == null ? null : container(job));
    }

    /** Deletes the Job and, through the garbage collector, its pod. Deleting one that is gone is no error. */
    public void delete(String name) {
        client.batch().v1().jobs().inNamespace(config.namespace()).withName(name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }

    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(config.namespace()).withName(name).get();
    }

    /** The rbd container's status in the Job's newest pod. */
    private ContainerStatus container(Job job) {
        return client.pods().inNamespace(config.namespace())
                .withLabel("batch.kubernetes.io/controller-uid", job.getMetadata().getUid()).list().getItems().stream()
                .max(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp()))
                .map(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? null
                        : p.getStatus().getContainerStatuses().stream()
                        .filter(c -> RbdJobs.CONTAINER.equals(c.getName())).findFirst().orElse(null))
                .filter(Objects::nonNull).orElse(null);
    }
}
