package io.pgwarden.sandbox.control;

import java.util.Optional;
import java.util.UUID;

/**
 * A ceph-csi volume or snapshot id, what a PersistentVolume's {@code spec.csi.volumeHandle} and a
 * VolumeSnapshotContent's {@code status.snapshotHandle} hold: {@code 0001-0009-rook-ceph-0000000000000002-<uuid>},
 * that is version, length of the cluster id (hex), cluster id, pool id (16 hex digits) and the uuid that also names
 * the RBD image ({@code csi-vol-<uuid>}, or {@code csi-snap-<uuid>} for a snapshot). See ceph-csi
 * {@code internal/util/volid.go} (CSIIdentifier.ComposeCSIID) and {@code internal/journal/voljournal.go}.
 */
public record CsiVolumeHandle(String clusterId, long poolId, String uuid) {
    private static final String VERSION = "0001";

    public static CsiVolumeHandle generate(String clusterId, long poolId) {
        return new CsiVolumeHandle(clusterId, poolId, UUID.randomUUID().toString());
    }

    /** The handle's parts, or empty for a handle ceph-csi did not compose (a static PV may carry any string). */
    public static Optional<CsiVolumeHandle> parse(String handle) {
        if (!handle.startsWith(VERSION + "-") || handle.length() < 10) {
            return Optional.empty();
        }
        try {
            int length = Integer.parseInt(handle.substring(5, 9), 16);
            String clusterId = handle.substring(10, 10 + length);
            String rest = handle.substring(11 + length);
            long poolId = Long.parseLong(rest.substring(0, 16), 16);
            String uuid = rest.substring(17);
            return Optional.of(new CsiVolumeHandle(clusterId, poolId, UUID.fromString(uuid).toString()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public String imageName() {
        return "csi-vol-" + uuid;
    }

    public String snapshotImageName() {
        return "csi-snap-" + uuid;
    }

    @Override
    public String toString() {
        return VERSION + "-" + String.format("%04x", clusterId.length()) + "-" + clusterId + "-"
                + String.format("%016x", poolId) + "-" + uuid;
    }
}
