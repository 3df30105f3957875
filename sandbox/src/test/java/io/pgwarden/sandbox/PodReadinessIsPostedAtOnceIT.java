package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.pgwarden.sandbox.record.Timeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pod turns Ready on the API server as soon as its kubelet's probe finds PostgreSQL answering, as a real kubelet's
 * status manager posts a probe result at once, not at the next periodic pass of the control loop
 * (node-monitor-period). Measured through a watch, as a client sees it: at the first start and after two crashes.
 */
class PodReadinessIsPostedAtOnceIT {
    /** At a fifth of real time the periodic pass comes every second: a status waiting for it is 0 to 1 s late. */
    private static final SandboxConfig CONFIG = SandboxConfig.fast().withTimeScale(1.0 / 5);
    /** One real second, well under node-monitor-period's five. */
    private static final Duration BOUND = CONFIG.scaled(Duration.ofSeconds(1));
    private static final String KEY = DemoCluster.NS + "/" + DemoCluster.POD;

    @Test
    void readinessReachesTheApiServerWithinARealSecondOfPostgresAnswering() throws Exception {
        try (DemoCluster cluster = DemoCluster.start(CONFIG)) {
            List<Instant> turnedReady = new CopyOnWriteArrayList<>();
            try (Watch ignored = cluster.client.pods().inNamespace(DemoCluster.NS).watch(readyTransitions(turnedReady))) {
                awaitReadyTransitions(turnedReady, 1, Duration.ofSeconds(90));
                for (int crash = 1; crash <= 2; crash++) {
                    cluster.sandbox.faults().killPod(DemoCluster.NS, DemoCluster.POD);
                    awaitReadyTransitions(turnedReady, 1 + crash, Duration.ofSeconds(60));
                }
            }

            List<Instant> answering = cluster.sandbox.timeline().entries().stream()
                    .filter(e -> e.kind().equals("pod") && e.name().equals(KEY) && e.state().startsWith("Ready on "))
                    .map(Timeline.Entry::at).toList();
            assertThat(answering).as("the kubelet's probe saw PostgreSQL answer at each start").hasSize(3);
            List<Duration> delays = new ArrayList<>();
            for (int i = 0; i < answering.size(); i++) {
                delays.add(Duration.between(answering.get(i), turnedReady.get(i)));
            }
            assertThat(delays).as("from PostgreSQL answering to the watch seeing Ready=True, node-monitor-period "
                    + CONFIG.nodeMonitorPeriod().toMillis() + " ms").allSatisfy(d -> assertThat(d)
                    .isPositive().isLessThan(BOUND));
        }
    }

    /** Records when the watched pod goes from not Ready to Ready. */
    private static Watcher<Pod> readyTransitions(List<Instant> turnedReady) {
        return new Watcher<>() {
            private boolean ready;

            @Override
            public void eventReceived(Action action, Pod pod) {
                if (!DemoCluster.POD.equals(pod.getMetadata().getName())) {
                    return;
                }
                boolean now = action != Action.DELETED && DemoCluster.isReady(pod);
                if (now && !ready) {
                    turnedReady.add(Instant.now());
                }
                ready = now;
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    private static void awaitReadyTransitions(List<Instant> turnedReady, int count, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> turnedReady.size() >= count);
    }
}
