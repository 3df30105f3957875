package io.pgwarden.sandbox.control;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** When the attach/detach controller may let go of a volume no pod on the node needs. */
class DetachRulesTest {
    private static final String PV = "pvc-1";
    private static final Duration TIMEOUT = Duration.ofMinutes(6);
    private static final Duration PAST_TIMEOUT = TIMEOUT.plusSeconds(1);
    private final VolumeController controller = new VolumeController(null, Clock.systemUTC(), TIMEOUT, false,
            null, null, null);
    private final VolumeController noForceDetach = new VolumeController(null, Clock.systemUTC(), TIMEOUT, true,
            null, null, null);

    private static Node node(boolean ready, boolean inUse, boolean outOfService) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "Unknown")
                .endCondition().endStatus();
        if (inUse) {
            node.editStatus().addToVolumesInUse("kubernetes.io/csi/" + StorageNames.CSI_DRIVER + "^" + PV).endStatus();
        }
        if (outOfService) {
            node.editSpec().addToTaints(new TaintBuilder().withKey(Names.TAINT_OUT_OF_SERVICE)
                    .withEffect("NoExecute").build()).endSpec();
        }
        return node.build();
    }

    @Test
    void unmountedVolumeDetachesAtOnce() {
        assertThat(controller.detachReason(node(true, false, false), PV, Duration.ZERO)).isEqualTo("unmounted");
    }

    @Test
    void volumeInUseOnLostNodeWaitsSixMinutesUnlessOutOfService() {
        assertThat(controller.detachReason(node(false, true, false), PV, TIMEOUT)).isNull();
        assertThat(controller.detachReason(node(false, true, false), PV, PAST_TIMEOUT))
                .isEqualTo("force detach after maxWaitForUnmountDuration");
        assertThat(controller.detachReason(node(false, true, true), PV, Duration.ZERO)).isEqualTo("out-of-service taint");
        assertThat(controller.detachReason(node(true, true, false), PV, Duration.ofHours(1))).isNull();
    }

    @Test
    void outOfServiceTaintDetachesFromAReadyNodeToo() {
        assertThat(controller.detachReason(node(true, true, true), PV, Duration.ZERO)).isEqualTo("out-of-service taint");
    }

    @Test
    void missingNodeIsUnhealthyUnderTheSixMinuteRule() {
        assertThat(controller.detachReason(null, PV, Duration.ofMinutes(5))).isNull();
        assertThat(controller.detachReason(null, PV, PAST_TIMEOUT))
                .isEqualTo("force detach after maxWaitForUnmountDuration");
    }

    @Test
    void disableForceDetachOnTimeoutLeavesOnlyTheOutOfServiceTaint() {
        assertThat(noForceDetach.detachReason(node(false, true, false), PV, Duration.ofHours(1))).isNull();
        assertThat(noForceDetach.detachReason(null, PV, Duration.ofHours(1))).isNull();
        assertThat(noForceDetach.detachReason(node(false, true, true), PV, Duration.ZERO))
                .isEqualTo("out-of-service taint");
        assertThat(noForceDetach.detachReason(node(false, false, false), PV, Duration.ZERO)).isEqualTo("unmounted");
    }
}
