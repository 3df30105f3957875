package io.pgwarden.sandbox.control;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CsiVolumeHandleTest {

    @Test
    void composesAndParsesLikeCephCsi() {
        CsiVolumeHandle handle = new CsiVolumeHandle("rook-ceph", 2, "b513c1de-6e88-4e0d-aa70-a114e8fd482f");
        assertThat(handle.toString()).isEqualTo("0001-0009-rook-ceph-0000000000000002-b513c1de-6e88-4e0d-aa70-a114e8fd482f");
        assertThat(handle.imageName()).isEqualTo("csi-vol-b513c1de-6e88-4e0d-aa70-a114e8fd482f");
        assertThat(CsiVolumeHandle.parse(handle.toString())).contains(handle);
    }

    @Test
    void aHandleCephCsiDidNotComposeHasNoParts() {
        assertThat(CsiVolumeHandle.parse("pvc-1234")).isEmpty();
        assertThat(CsiVolumeHandle.parse("0001-0009-rook-ceph-zz")).isEmpty();
    }

    @Test
    void theAttachmentNameHashesHandleDriverAndNode() {
        String handle = "0001-0009-rook-ceph-0000000000000002-b513c1de-6e88-4e0d-aa70-a114e8fd482f";
        assertThat(VolumeController.attachmentName(handle, "node001")).startsWith("csi-").hasSize(4 + 64)
                .isNotEqualTo(VolumeController.attachmentName(handle, "node002"))
                .isNotEqualTo(VolumeController.attachmentName("pvc-x", "node001"));
    }
}
