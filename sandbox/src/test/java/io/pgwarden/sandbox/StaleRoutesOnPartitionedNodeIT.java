package io.pgwarden.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each node runs its own kube-proxy. When the primary's node is partitioned from the API server and the pod is
 * replaced elsewhere (unfenced), clients on the partitioned node keep opening new connections to the zombie through
 * their node's stale routes, while the rest of the cluster routes to the new primary; a connection opened before the
 * partition stays with the zombie (conntrack). Healing the partition ends both.
 */
class StaleRoutesOnPartitionedNodeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void clientsOnAPartitionedNodeStillReachTheZombie() throws Exception {
        try (DemoCluster cluster = DemoCluster.start()) {
            Pod before = cluster.awaitReady();
            String zombieNode = before.getSpec().getNodeName();
            String otherNode = cluster.sandbox.faults().nodes().stream().map(k -> k.name())
                    .filter(n -> !n.equals(zombieNode)).sorted().findFirst().orElseThrow();
            int fromZombieNode = portFrom(cluster, zombieNode);
            int fromOtherNode = cluster.sandbox.servicePort(DemoCluster.NS, DemoDatabase.NAME, otherNode).orElseThrow();
            int zombie = serverPort(cluster.connect());
            await().atMost(Duration.ofSeconds(10)).until(() -> serverPortOrZero(fromZombieNode) == zombie);
            Connection openedBefore = cluster.connect();

            cluster.sandbox.faults().partition(zombieNode);
            await().atMost(Duration.ofSeconds(20)).until(() -> "Unknown".equals(cluster.readiness(zombieNode)));
            cluster.client.pods().inNamespace(DemoCluster.NS).withName(DemoCluster.POD).withGracePeriod(0).delete();
            NodeTaints.outOfService(cluster.client, zombieNode, "NoExecute");
            cluster.awaitReplacementReady(before, Duration.ofSeconds(60));
            int primary = serverPort(cluster.connect());
            assertThat(primary).isNotEqualTo(zombie);

            assertThat(serverPort(connect(fromZombieNode))).as("new connections from the partitioned node")
                    .isEqualTo(zombie);
            assertThat(serverPort(connect(fromOtherNode))).as("new connections from a healthy node").isEqualTo(primary);
            assertThat(serverPort(openedBefore)).as("a connection from before the partition").isEqualTo(zombie);

            cluster.sandbox.faults().heal(zombieNode);
            await().atMost(Duration.ofSeconds(30)).until(() -> serverPortOrZero(fromZombieNode) == primary);
        }
    }

    /** The port of a node's kube-proxy for the demo Service, as the fault API tells a script. */
    private static int portFrom(DemoCluster cluster, String node) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.sandbox.httpApiUrl()
                        + "/nodes/" + node + "/services/" + DemoCluster.NS + "/" + DemoDatabase.NAME)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).path("port").asInt();
    }

    private static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /** The port of the PostgreSQL process that answers: each process of the sandbox listens on its own. */
    private static int serverPort(Connection connection) throws SQLException {
        try (connection; Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int serverPortOrZero(int servicePort) {
        try {
            return serverPort(connect(servicePort));
        } catch (SQLException e) {
            return 0;
        }
    }
}
