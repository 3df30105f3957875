package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.List;

/**
 * Which VolumeSnapshotClass a snapshot is cut with, as the snapshot controller's checkAndUpdateSnapshotClass and
 * SetDefaultSnapshotClass decide (external-snapshotter pkg/common-controller/snapshot_controller_base.go and
 * snapshot_controller.go), with their error messages.
 */
final class SnapshotClasses {
    private SnapshotClasses() {
    }

    static Snapshots.ClassChoice choose(String named, String volumeDriver, List<GenericKubernetesResource> classes) {
        if (named != null) {
            return classes.stream().filter(c -> named.equals(c.getMetadata().getName())).findFirst()
                    .map(c -> new Snapshots.ClassChoice(c, null, null))
                    .orElse(new Snapshots.ClassChoice(null, "GetSnapshotClassFailed",
                            "Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \""
                                    + named + "\" not found"));
        }
        List<GenericKubernetesResource> defaults = classes.stream()
                .filter(c -> "true".equals(c.getMetadata().getAnnotations().get(Snapshots.DEFAULT_CLASS_ANNOTATION)))
                .filter(c -> volumeDriver.equals(c.getAdditionalProperties().get("driver"))).toList();
        if (defaults.size() == 1) {
            return new Snapshots.ClassChoice(defaults.get(0), null, null);
        }
        return new Snapshots.ClassChoice(null, "SetDefaultSnapshotClassFailed",
                "Failed to set default snapshot class with error " + (defaults.isEmpty()
                        ? "cannot find default snapshot class" : defaults.size() + " default snapshot classes were found"));
    }
}
