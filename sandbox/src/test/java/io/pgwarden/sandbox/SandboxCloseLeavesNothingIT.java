package io.pgwarden.sandbox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing a sandbox stops every PostgreSQL process it started and frees every port it bound. */
class SandboxCloseLeavesNothingIT {

    @Test
    void noProcessOrPortOutlivesTheSandbox() throws Exception {
        DemoCluster cluster = DemoCluster.start();
        cluster.awaitReady();
        List<Long> pids = cluster.sandbox.invariants().writers().stream().map(w -> w.pid()).toList();
        int api = URI.create(cluster.sandbox.apiServerUrl()).getPort();
        int http = URI.create(cluster.sandbox.httpApiUrl()).getPort();
        int db = URI.create(cluster.sandbox.demoDatabaseJdbcUrl().orElseThrow().substring("jdbc:".length())).getPort();
        assertThat(pids).isNotEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sandbox.start(SandboxConfig.fast().withPorts(api, 0, 0)))
                .hasMessageContaining("the Kubernetes API cannot use port " + api);

        cluster.close();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(
                java.util.Optional.of(true)));
        for (int port : List.of(api, http, db)) {
            assertThat(bindable(port)).as("port %d is free", port).isTrue();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
