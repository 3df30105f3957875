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

    /**
     * The talk's first steps as a new user types them: kubectl waits for a deletion, a condition and a rollout with
     * streaming watches, and follows changes with get -w. A hang fails the test (every command has a deadline), and
     * client-go's reflector must never report a rejected watch.
     */
    @Test
    void kubectlWaitsForDeletionsConditionsAndRolloutsAndWatches() throws Exception {
        assumeThat(Files.isExecutable(KUBECTL)).as("kubectl installed").isTrue();
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod first = cluster.awaitReady();
            Path kubeconfig = Files.createTempFile("sandbox", ".kubeconfig");
            cluster.sandbox.writeKubeconfig(kubeconfig);

            assertThat(kubectl(kubeconfig, "rollout", "status", "statefulset/" + DemoDatabase.NAME, "--timeout=60s"))
                    .contains("partitioned roll out complete: 1 new pods have been updated");
            assertThat(kubectl(kubeconfig, "wait", "--for=condition=Ready", "pod/" + DemoCluster.POD, "--timeout=60s"))
                    .contains("pod/pg-rook-sf-0 condition met");

            Background watching = Background.start(kubeconfig, "get", "pods", "-w");
            Pod second;
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> watching.out().contains(DemoCluster.POD));

                // Without --force: kubectl marks the pod, then watches until it is gone (the kubelet stops it and
                // confirms); it must return once the pod is gone, not hang.
                long started = System.nanoTime();
                assertThat(kubectl(kubeconfig, Duration.ofSeconds(90), "delete", "pod", DemoCluster.POD))
                        .contains("pod \"pg-rook-sf-0\" deleted");
                Pod now = cluster.pod();
                assertThat(now == null || !now.getMetadata().getUid().equals(first.getMetadata().getUid()))
                        .as("kubectl delete returned once the pod was gone (%d ms)",
                                (System.nanoTime() - started) / 1_000_000).isTrue();

                await().atMost(Duration.ofSeconds(30)).until(() -> watching.out().contains("Terminating"));
                second = cluster.awaitReplacementReady(first, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(30)).until(() -> watching.out().lines()
                        .anyMatch(l -> l.matches("pg-rook-sf-0\\s+1/1\\s+Running\\s+0\\s+\\d+s")));
                assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
            } finally {
                watching.stop();
            }
            assertThat(watching.err()).doesNotContain("Failed to watch");
            watching.forget();

            assertThat(kubectl(kubeconfig, "wait", "--for=condition=Ready", "pod/" + DemoCluster.POD, "--timeout=60s"))
                    .contains("condition met");
            assertThat(kubectl(kubeconfig, "rollout", "status", "statefulset/" + DemoDatabase.NAME, "--timeout=60s"))
                    .contains("partitioned roll out complete");

            // wait --for=delete, watching a pod that stays Terminating (its node is off) until it is force deleted.
            String spare = second.getSpec().getNodeName().equals("node003") ? "node002" : "node003";
            kubectl(kubeconfig, "run", "sleeper", "--image=busybox", "--restart=Never",
                    "--overrides={\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"" + spare + "\"}}");
            kubectl(kubeconfig, "wait", "--for=condition=Ready", "pod/sleeper", "--timeout=60s");
            powerOff(cluster, spare);
            kubectl(kubeconfig, "delete", "pod", "sleeper", "--wait=false");
            Background waiting = Background.start(kubeconfig, "wait", "--for=delete", "pod/sleeper", "--timeout=60s",
                    "-v=6");
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> waiting.err().contains("watch=true"));
                kubectl(kubeconfig, "delete", "pod", "sleeper", "--force", "--grace-period=0");
                assertThat(waiting.process().waitFor(30, TimeUnit.SECONDS)).as("wait --for=delete returned").isTrue();
            } finally {
                waiting.stop();
            }
            assertThat(waiting.process().exitValue()).isZero();
            assertThat(waiting.out()).contains("pod/sleeper condition met");
            assertThat(waiting.err()).doesNotContain("Failed to watch");
            waiting.forget();
            Files.delete(kubeconfig);
        }
    }

    private static String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        return kubectl(kubeconfig, Duration.ofSeconds(60), args);
    }

    /** Powers a node off through the fault-injection HTTP API, as a user of the local run would. */
    private static void powerOff(DemoCluster cluster, String node) throws IOException, InterruptedException {
        var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(cluster.sandbox.httpApiUrl() + "/nodes/" + node + "/power-off"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("power-off %s: %s", node, answer.body()).isBetween(200, 299);
    }

    /**
     * Runs kubectl to its end within the deadline (killed and failed past it); fails on a non-zero exit or on a
     * watch the server rejected. Returns its standard output.
     */
    private static String kubectl(Path kubeconfig, Duration deadline, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("kubectl", ".out");
        Path err = Files.createTempFile("kubectl", ".err");
        try {
            Process p = new ProcessBuilder(command(kubeconfig, args)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            boolean ended = p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            assertThat(ended).as("kubectl %s returned within %s; out: %s; err: %s", String.join(" ", args), deadline,
                    stdout, stderr).isTrue();
            assertThat(p.exitValue()).as("kubectl %s: %s%s", String.join(" ", args), stdout, stderr).isZero();
            assertThat(stderr).as("kubectl %s", String.join(" ", args)).doesNotContain("Failed to watch");
            return stdout;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> command(Path kubeconfig, String... args) {
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** A kubectl that runs until stopped (get -w), its output read while it runs. */
    private record Background(Process process, Path outFile, Path errFile) {
        static Background start(Path kubeconfig, String... args) throws IOException {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            Process p = new ProcessBuilder(command(kubeconfig, args)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            return new Background(p, out, err);
        }

        String out() throws IOException {
            return Files.readString(outFile, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(errFile, StandardCharsets.UTF_8);
        }

        void forget() throws IOException {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }

        void stop() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
