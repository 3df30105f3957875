package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.AttachedVolume;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachmentBuilder;
import io.pgwarden.sandbox.StorageNames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the attach/detach controller reports in node.status.volumesAttached. */
class VolumesAttachedTest {

    private static VolumeAttachment attachment(String pv, String node, Boolean attached) {
        VolumeAttachmentBuilder va = new VolumeAttachmentBuilder().withNewMetadata().withName(pv + node).endMetadata()
                .withNewSpec().withNodeName(node).withNewSource().withPersistentVolumeName(pv).endSource().endSpec();
        if (attached != null) {
            va.withNewStatus().withAttached(attached).endStatus();
        }
        return va.build();
    }

    @Test
    void onlyCompletedAttachmentsToTheNodeAreReported() {
        List<VolumeAttachment> attachments = List.of(attachment("pvc-b", "n1", true), attachment("pvc-a", "n1", true),
                attachment("pvc-c", "n1", false), attachment("pvc-d", "n1", null), attachment("pvc-e", "n2", true));

        assertThat(VolumeController.volumesAttached("n1", attachments, pv -> "handle-of-" + pv))
                .extracting(AttachedVolume::getName).containsExactly(StorageNames.uniqueVolumeName("handle-of-pvc-a"),
                        StorageNames.uniqueVolumeName("handle-of-pvc-b"));
        assertThat(VolumeController.volumesAttached("n3", attachments, pv -> pv)).isEmpty();
    }
}
