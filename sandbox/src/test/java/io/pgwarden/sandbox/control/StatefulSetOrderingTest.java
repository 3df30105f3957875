package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.pgwarden.sandbox.control.StatefulSetController.Action.CREATE;
import static io.pgwarden.sandbox.control.StatefulSetController.Action.DELETE;
import static io.pgwarden.sandbox.control.StatefulSetController.Action.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** The StatefulSet controller's OrderedReady decisions and its at-most-one-pod-per-ordinal guarantee. */
class StatefulSetOrderingTest {

    private static Pod ready() {
        return new PodBuilder().withNewMetadata().endMetadata().withNewStatus().withPhase("Running").addNewCondition()
                .withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private static Pod terminating() {
        return new PodBuilder(ready()).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
    }

    @Test
    void aTerminatingPodIsNeverReplacedWhileItsObjectExists() {
        assertThat(StatefulSetController.next(1, Map.of(0, terminating())))
                .isEqualTo(new StatefulSetController.Step(WAIT, 0));
        assertThat(StatefulSetController.next(1, Map.of())).isEqualTo(new StatefulSetController.Step(CREATE, 0));
    }

    @Test
    void scaleUpOneOrdinalAtATimeAndScaleDownFromTheTop() {
        assertThat(StatefulSetController.next(3, Map.of(0, ready()))).isEqualTo(new StatefulSetController.Step(CREATE, 1));
        assertThat(StatefulSetController.next(0, Map.of(0, ready(), 1, ready())))
                .isEqualTo(new StatefulSetController.Step(DELETE, 1));
        assertThat(StatefulSetController.next(0, Map.of(0, ready(), 1, terminating())).action()).isEqualTo(WAIT);
        assertThat(StatefulSetController.next(1, Map.of(0, ready())).action()).isEqualTo(WAIT);
    }
}
