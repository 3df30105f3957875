package io.pgwarden.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

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

    @Test
    void aFailedContainerWithFallbackToLogsOnErrorGetsItsLogsLastLinesAsMessage() {
        Pod fallback = new PodBuilder().withNewSpec().addNewContainer().withName("rbd")
                .withTerminationMessagePolicy("FallbackToLogsOnError").endContainer().endSpec().build();
        Pod file = new PodBuilder().withNewSpec().addNewContainer().withName("rbd").endContainer().endSpec().build();

        assertThat(PodStatuses.messageFromLog(fallback, 16)).isTrue();
        assertThat(PodStatuses.messageFromLog(fallback, 0)).isFalse();
        assertThat(PodStatuses.messageFromLog(file, 16)).isFalse();

        String log = IntStream.rangeClosed(1, 100).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
        assertThat(PodStatuses.logTail(log)).startsWith("line 21\n").endsWith("line 100\n");
        String wide = IntStream.rangeClosed(1, 50).mapToObj(i -> "x".repeat(99) + "\n").collect(Collectors.joining())
                + "rbd: rollback failed: (16) Device or resource busy\n";
        assertThat(PodStatuses.logTail(wide)).hasSize(2048).endsWith("rbd: rollback failed: (16) Device or resource busy\n");
        assertThat(PodStatuses.logTail("")).isNull();
    }
}
