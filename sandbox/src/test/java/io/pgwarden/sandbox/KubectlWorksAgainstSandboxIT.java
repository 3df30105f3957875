package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** The talk's transcripts replayed with the real kubectl against the sandbox's kubeconfig. */
class KubectlWorksAgainstSandboxIT {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    @Test
    void kubectlGetsCordonsScalesAndForceDeletes() throws Exception {
        assumeThat(Files.isExecutable(KUBECTL)).as("kubectl installed").isTrue();
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod first = cluster.awaitReady();
            Path kubeconfig = Files.createTempFile("sandbox", ".kubeconfig");
            cluster.sandbox.writeKubeconfig(kubeconfig);

            assertThat(kubectl(kubeconfig, "get", "nodes")).containsPattern("node001\\s+Ready\\s+<none>")
                    .contains("node002", "node003");
            String node = first.getSpec().getNodeName();
            assertThat(kubectl(kubeconfig, "get", "pods", "-o", "wide"))
                    .containsPattern("pg-rook-sf-0\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+" + first.getStatus().getPodIP()
                            .replace(".", "\\.") + "\\s+" + node);

            assertThat(kubectl(kubeconfig, "cordon", "node002")).contains("node/node002 cordoned");
            assertThat(kubectl(kubeconfig, "get", "nodes")).containsPattern("node002\\s+Ready,SchedulingDisabled");
            assertThat(kubectl(kubeconfig, "uncordon", "node002")).contains("node/node002 uncordoned");
            assertThat(kubectl(kubeconfig, "get", "nodes")).doesNotContain("SchedulingDisabled");

            assertThat(kubectl(kubeconfig, "scale", "statefulset", DemoDatabase.NAME, "--replicas=0"))
                    .contains("statefulset.apps/pg-rook-sf scaled");
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.pod() == null);
            kubectl(kubeconfig, "scale", "statefulset", DemoDatabase.NAME, "--replicas=1");
            Pod second = cluster.awaitReplacementReady(first, Duration.ofSeconds(60));

            assertThat(kubectl(kubeconfig, "delete", "pod", DemoCluster.POD, "--force", "--grace-period=0"))
                    .contains("pod \"pg-rook-sf-0\" force deleted");
            Pod third = cluster.awaitReplacementReady(second, Duration.ofSeconds(60));
            assertThat(kubectl(kubeconfig, "get", "statefulset", DemoDatabase.NAME)).containsPattern("pg-rook-sf\\s+1/1");

            // The talk's failover: drain lists the node's pods by spec.nodeName and evicts them.
            String drained = third.getSpec().getNodeName();
            assertThat(kubectl(kubeconfig, "drain", drained, "--force", "--ignore-daemonsets", "--timeout=60s"))
                    .contains("node/" + drained + " drained");
            Pod moved = cluster.awaitReplacementReady(third, Duration.ofSeconds(60));
            assertThat(moved.getSpec().getNodeName()).isNotEqualTo(drained);
            assertThat(kubectl(kubeconfig, "get", "nodes")).containsPattern(drained + "\\s+Ready,SchedulingDisabled");
            kubectl(kubeconfig, "uncordon", drained);
            Files.delete(kubeconfig);
        }
    }

    private static String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
