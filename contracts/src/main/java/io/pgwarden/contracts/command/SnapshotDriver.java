package io.pgwarden.contracts.command;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What takes a backup's snapshots. */
public enum SnapshotDriver {
    /** A {@code VolumeSnapshot} (snapshot.storage.k8s.io/v1) of each claim. */
    @JsonProperty("csi") CSI,
    /** {@code rbd snap create} on each claim's image, in a Job with the Rook toolbox image. */
    @JsonProperty("rbd") RBD;

    /** The name in commands, annotations and the API. */
    public String wireName() {
        try {
            return SnapshotDriver.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
