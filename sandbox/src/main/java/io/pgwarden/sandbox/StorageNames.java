package io.pgwarden.sandbox;

/** The names of the sandbox's own storage: its CSI driver, default StorageClass and VolumeSnapshotClass. */
public final class StorageNames {
    public static final String CSI_DRIVER = "rbd.csi.sandbox.pgwarden.io";
    public static final String STORAGE_CLASS = "sandbox-rbd";
    public static final String SNAPSHOT_CLASS = "sandbox-rbd-snapclass";

    /** A volume's unique name in node.status.volumesAttached and volumesInUse ({@code pkg/volume/csi}, csi_plugin.go). */
    public static String uniqueVolumeName(String pv) {
        return "kubernetes.io/csi/" + CSI_DRIVER + "^" + pv;
    }

    private StorageNames() {
    }
}
