package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgwarden.sandbox.record.Timeline;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The CSI external-attacher sidecar (kubernetes-csi/external-attacher, {@code pkg/controller/csi_handler.go}): for a
 * VolumeAttachment not attached yet it calls ControllerPublishVolume and, once that returns, patches
 * {@code status.attached=true}. The call takes {@code attachTime}, so an attachment is never complete in the pass
 * that created it.
 */
public final class ExternalAttacher {
    private final KubernetesClient client;
    private final ScheduledExecutorService executor;
    private final Duration attachTime;
    private final Timeline timeline;
    private final Set<String> publishing = new HashSet<>();

    public ExternalAttacher(KubernetesClient client, ScheduledExecutorService executor, Duration attachTime,
                            Timeline timeline) {
        this.client = client;
        this.executor = executor;
        this.attachTime = attachTime;
        this.timeline = timeline;
    }

    /** Runs on the executor's thread, as every pass does, so {@code publishing} needs no lock. */
    public void reconcile(ClusterView view) {
        for (VolumeAttachment va : view.attachments()) {
            boolean attached = va.getStatus() != null && Boolean.TRUE.equals(va.getStatus().getAttached());
            if (!attached && va.getMetadata().getDeletionTimestamp() == null && publishing.add(va.getMetadata().getName())) {
                executor.schedule(() -> published(va), attachTime.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        publishing.retainAll(view.attachments().stream().map(a -> a.getMetadata().getName()).collect(Collectors.toSet()));
    }

    private void published(VolumeAttachment va) {
        String name = va.getMetadata().getName();
        if (!publishing.remove(name)) {
            return; // deleted meanwhile: the attach/detach controller no longer wants it
        }
        try {
            client.storage().v1().volumeAttachments().withName(name).editStatus(a -> {
                a.setStatus(new VolumeAttachmentStatus(null, true, null, null));
                return a;
            });
            timeline.record("attachment", va.getSpec().getSource().getPersistentVolumeName(),
                    "Attached to " + va.getSpec().getNodeName());
        } catch (KubernetesClientException gone) {
            // deleted between the call and the patch: nothing to mark
        }
    }
}
