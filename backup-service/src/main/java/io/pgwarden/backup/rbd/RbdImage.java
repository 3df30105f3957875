package io.pgwarden.backup.rbd;

import io.fabric8.kubernetes.api.model.PersistentVolume;

import java.util.Map;

/**
 * The RBD image behind a claim's volume, as ceph-csi records it in the PV's CSI {@code volumeAttributes}: {@code pool},
 * {@code imageName} and, when the StorageClass names one, {@code radosNamespace} (ceph-csi
 * {@code internal/rbd/controllerserver.go}, buildCreateVolumeResponse).
 */
public record RbdImage(String pool, String radosNamespace, String image) {

    /** rbd's image spec: {@code <pool>[/<namespace>]/<image>}. */
    public String spec() {
        return pool + (radosNamespace.isEmpty() ? "" : "/" + radosNamespace) + "/" + image;
    }

    /** The image of a snapshot spec {@code <pool>[/<namespace>]/<image>@<snapshot>}, as the catalog records it. */
    public static RbdImage ofSnapshotSpec(String spec) {
        return ofSpec(spec.substring(0, spec.indexOf('@')));
    }

    /** The image of its spec {@code <pool>[/<namespace>]/<image>}. */
    public static RbdImage ofSpec(String spec) {
        String[] parts = spec.split("/");
        return parts.length == 3 ? new RbdImage(parts[0], parts[1], parts[2]) : new RbdImage(parts[0], "", parts[1]);
    }

    /** The image of a ceph-csi RBD volume of the Ceph cluster {@code clusterId}; refused for any other volume. */
    public static RbdImage of(PersistentVolume pv, String clusterId) {
        String name = pv.getMetadata().getName();
        if (pv.getSpec() == null || pv.getSpec().getCsi() == null) {
            throw new NotAnRbdVolume("PV " + name + " is not a CSI volume; the rbd snapshot driver needs a ceph-csi RBD"
                    + " volume: use the csi driver for this database");
        }
        Map<String, String> attributes = pv.getSpec().getCsi().getVolumeAttributes() == null ? Map.of()
                : pv.getSpec().getCsi().getVolumeAttributes();
        String pool = attributes.getOrDefault("pool", "");
        String image = attributes.getOrDefault("imageName", "");
        if (pool.isEmpty() || image.isEmpty()) {
            throw new NotAnRbdVolume("PV " + name + " (driver " + pv.getSpec().getCsi().getDriver() + ") has no CSI"
                    + " volumeAttributes pool and imageName, which ceph-csi's RBD driver sets; the rbd snapshot driver"
                    + " needs a ceph-csi RBD volume: use the csi driver for this database");
        }
        String cluster = attributes.getOrDefault("clusterID", clusterId);
        if (!cluster.equals(clusterId)) {
            throw new NotAnRbdVolume("PV " + name + " is on Ceph cluster " + cluster + ", the rbd toolbox reaches "
                    + clusterId + " (pgwarden.backup.rbd.cluster-id and namespace)");
        }
        return new RbdImage(pool, attributes.getOrDefault("radosNamespace", ""), image);
    }

    /** A volume the rbd driver cannot snapshot; the message says why and what to do. */
    public static final class NotAnRbdVolume extends RuntimeException {
        public NotAnRbdVolume(String message) {
            super(message);
        }
    }
}
