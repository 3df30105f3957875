package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The revision name the controller reports as currentRevision/updateRevision (what kubectl rollout status reads). */
class StatefulSetRevisionTest {

    private static StatefulSet set(String image) {
        return new StatefulSetBuilder().withNewMetadata().withName("pg-rook-sf").endMetadata().withNewSpec()
                .withNewTemplate().withNewSpec().addNewContainer().withName("postgres").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    @Test
    void theRevisionIsTheSetsNameAndASafeHashOfItsTemplate() {
        String revision = StatefulSetController.revision(set("postgres:17.6"));
        assertThat(revision).matches("pg-rook-sf-[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(StatefulSetController.revision(set("postgres:17.6"))).isEqualTo(revision);
        assertThat(StatefulSetController.revision(set("postgres:17.7"))).as("a new template, a new revision")
                .isNotEqualTo(revision);
    }
}
