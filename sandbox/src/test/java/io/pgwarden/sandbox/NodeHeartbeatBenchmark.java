package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.pgwarden.contracts.Names;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of simulated nodes renewing their leases every 10 s, with the controllers running at real-cluster
 * periods: how much CPU the sandbox needs for it. Not part of the normal suite; run with
 * {@code ./mvnw -pl sandbox verify -Pbenchmark} (-Dbenchmark.nodes=5000 -Dbenchmark.seconds=60).
 */
class NodeHeartbeatBenchmark {

    @Test
    void thousandsOfNodesHeartbeatUnderOneCore() throws Exception {
        int nodes = Integer.getInteger("benchmark.nodes", 5000);
        int seconds = Integer.getInteger("benchmark.seconds", 60);
        List<String> names = IntStream.rangeClosed(1, nodes).mapToObj(i -> String.format("node%05d", i)).toList();
        SandboxConfig config = SandboxConfig.defaults().withDemoDatabase(false).withNodeNames(names)
                .withDataDir(Files.createTempDirectory("sandbox-bench"));
        Instant startup = Instant.now();
        try (Sandbox sandbox = Sandbox.start(config)) {
            System.out.printf("started %d nodes in %d s%n", nodes, Duration.between(startup, Instant.now()).toSeconds());
            Thread.sleep(config.heartbeatInterval().toMillis() * 2); // every node has renewed at least once

            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long wallBefore = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;

            Instant now = Instant.now();
            List<Lease> leases = sandbox.client().leases().inNamespace(Names.NODE_LEASE_NAMESPACE).list().getItems();
            long fresh = leases.stream().filter(l -> Duration.between(l.getSpec().getRenewTime().toInstant(), now)
                    .compareTo(config.heartbeatInterval().multipliedBy(2)) < 0).count();
            long ready = sandbox.client().nodes().list().getItems().stream()
                    .filter(io.pgwarden.sandbox.control.ClusterView::isReady).count();
            double cores = (double) cpu / wall;
            System.out.printf("BENCHMARK nodes=%d heartbeat=%ss window=%ds leasesFresh=%d nodesReady=%d "
                            + "cpu=%.3f cores (process CPU time / wall time)%n", nodes,
                    config.heartbeatInterval().toSeconds(), seconds, fresh, ready, cores);
            assertThat(fresh).isEqualTo(nodes);
            assertThat(ready).isEqualTo(nodes);
            assertThat(cores).isLessThan(1.0);
        }
    }
}
