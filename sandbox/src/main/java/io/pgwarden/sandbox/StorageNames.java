package io.pgwarden.sandbox;

/**
 * The names of the sandbox's own storage: its CSI driver, default StorageClass and VolumeSnapshotClass, and the Ceph
 * cluster and pool behind them, named as a Rook cluster names them ({@code rook-ceph}, {@code replicapool}).
 */
public final class StorageNames {
    public static final String CSI_DRIVER = "rbd.csi.sandbox.pgwarden.io";
    public static final String STORAGE_CLASS = "sandbox-rbd";
    public static final String SNAPSHOT_CLASS = "sandbox-rbd-snapclass";
    /** The Ceph cluster's id in ceph-csi's config, which Rook sets to the cluster's namespace. */
    public static final String CLUSTER_ID = "rook-ceph";
    public static final String POOL = "replicapool";
    /** The pool's id, as ceph-csi encodes it in a volume handle. */
    public static final long POOL_ID = 2;

    /**
     * A volume's unique name in node.status.volumesAttached and volumesInUse: driver and volume handle ({@code
     * pkg/volume/csi/csi_plugin.go} GetVolumeName).
     */
    public static String uniqueVolumeName(String handle) {
        return "kubernetes.io/csi/" + CSI_DRIVER + "^" + handle;
    }

    private StorageNames() {
    }
}
