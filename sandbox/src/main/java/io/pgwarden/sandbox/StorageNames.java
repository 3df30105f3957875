package io.pgwarden.sandbox;

/** The names of the sandbox's own storage: its CSI driver, default StorageClass and VolumeSnapshotClass. */
public final class StorageNames {
    public static final String CSI_DRIVER = "rbd.csi.sandbox.pgwarden.io";
    public static final String STORAGE_CLASS = "sandbox-rbd";
    public static final String SNAPSHOT_CLASS = "sandbox-rbd-snapclass";

    private StorageNames() {
    }
}
