package io.pgwarden.sandbox.control;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** When the taint-eviction controller deletes a pod. */
class TaintEvictionRulesTest {
    private static final Instant SEEN = Instant.parse("2026-01-01T00:00:00Z");
    private static final UnaryOperator<Duration> REAL = d -> d;

    private static Pod pod(Long unreachableSeconds) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec();
        if (unreachableSeconds != null) {
            pod.editSpec().addToTolerations(new TolerationBuilder().withKey(Names.TAINT_UNREACHABLE)
                    .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(unreachableSeconds).build())
                    .endSpec();
        }
        return pod.build();
    }

    private static Taint taint(String key, String effect) {
        return new TaintBuilder().withKey(key).withEffect(effect).build();
    }

    @Test
    void podIsEvictedWhenItsTolerationSecondsHavePassed() {
        Map<Taint, Instant> unreachable = Map.of(taint(Names.TAINT_UNREACHABLE, "NoExecute"), SEEN);
        assertThat(TaintEvictionController.evictionTime(pod(300L), unreachable, REAL)).contains(SEEN.plusSeconds(300));
        assertThat(TaintEvictionController.evictionTime(pod(null), unreachable, REAL)).contains(SEEN);
        Pod forever = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addToTolerations(new TolerationBuilder().withOperator("Exists").build()).endSpec().build();
        assertThat(TaintEvictionController.evictionTime(forever, unreachable, REAL)).isEmpty();
    }

    @Test
    void realTolerationSecondsAreWaitedScaled() {
        Map<Taint, Instant> unreachable = Map.of(taint(Names.TAINT_UNREACHABLE, "NoExecute"), SEEN);
        SandboxConfig fast = SandboxConfig.fast();
        assertThat(TaintEvictionController.evictionTime(pod(300L), unreachable, fast::scaled))
                .contains(SEEN.plusSeconds(12));
    }

    @Test
    void onlyNoExecuteTaintsEvict() {
        // out-of-service:NoSchedule leaves the pod to its unreachable toleration.
        Map<Taint, Instant> taints = Map.of(taint(Names.TAINT_OUT_OF_SERVICE, "NoSchedule"), SEEN,
                taint(Names.TAINT_UNREACHABLE, "NoExecute"), SEEN);
        assertThat(TaintEvictionController.evictionTime(pod(300L), taints, REAL)).contains(SEEN.plusSeconds(300));
        assertThat(TaintEvictionController.evictionTime(pod(300L),
                Map.of(taint(Names.TAINT_OUT_OF_SERVICE, "NoSchedule"), SEEN), REAL)).isEmpty();
        // out-of-service:NoExecute is tolerated by no pod: at once.
        assertThat(TaintEvictionController.evictionTime(pod(300L),
                Map.of(taint(Names.TAINT_OUT_OF_SERVICE, "NoExecute"), SEEN.plusSeconds(5)), REAL))
                .contains(SEEN.plusSeconds(5));
    }
}
