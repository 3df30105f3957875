package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotClassesTest {

    private static GenericKubernetesResource snapshotClass(String name, String driver, boolean isDefault) {
        return new GenericKubernetesResourceBuilder().withApiVersion(Snapshots.API).withKind("VolumeSnapshotClass")
                .withNewMetadata().withName(name).addToAnnotations(Snapshots.DEFAULT_CLASS_ANNOTATION,
                        String.valueOf(isDefault)).endMetadata()
                .withAdditionalProperties(Map.of("driver", driver, "deletionPolicy", "Delete")).build();
    }

    @Test
    void aMissingNamedClassIsAnError() {
        var choice = SnapshotClasses.choose("gone", "rbd", List.of(snapshotClass("rbd", "rbd", true)));
        assertThat(choice.snapshotClass()).isNull();
        assertThat(choice.error()).isEqualTo(
                "Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"gone\" not found");
    }

    @Test
    void withoutANameTheDefaultClassOfTheVolumesDriverIsChosen() {
        var choice = SnapshotClasses.choose(null, "rbd", List.of(snapshotClass("other", "cephfs", true),
                snapshotClass("plain", "rbd", false), snapshotClass("rbd-default", "rbd", true)));
        assertThat(choice.snapshotClass().getMetadata().getName()).isEqualTo("rbd-default");
    }

    @Test
    void noDefaultClassForTheDriverIsAnError() {
        var choice = SnapshotClasses.choose(null, "rbd", List.of(snapshotClass("other", "cephfs", true)));
        assertThat(choice.error()).isEqualTo("Failed to set default snapshot class with error cannot find default snapshot class");
    }
}
