package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The status the kubelet posts over the stored one. */
class PodStatusesTest {

    @Test
    void theKubeletReplacesItsOwnConditionsAndKeepsDisruptionTarget() {
        PodStatus stored = new PodStatusBuilder().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus("True").endCondition().addNewCondition().withType("DisruptionTarget").withStatus("True")
                .withReason("EvictionByEvictionAPI").endCondition().build();
        PodStatus kubelets = new PodStatusBuilder().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus("False").endCondition().build();

        PodStatus merged = PodStatuses.merged(stored, kubelets);

        assertThat(merged.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
                .containsExactlyInAnyOrder("DisruptionTarget=True", "Ready=False");
        assertThat(PodStatuses.merged(null, kubelets)).isSameAs(kubelets);
    }
}
