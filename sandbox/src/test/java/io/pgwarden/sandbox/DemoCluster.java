package io.pgwarden.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/** A fast sandbox with the demo database, and what the scenarios do with it. */
final class DemoCluster implements AutoCloseable {
    static final String NS = DemoDatabase.NAMESPACE;
    static final String POD = DemoDatabase.NAME + "-0";

    final Sandbox sandbox;
    final KubernetesClient client;

    final Path dataDir;

    private DemoCluster(Sandbox sandbox, Path dataDir) {
        this.sandbox = sandbox;
        this.dataDir = dataDir;
        this.client = sandbox.client();
    }

    static DemoCluster start() {
        return start(SandboxConfig.fast());
    }

    /** The given timings with a fresh data directory and the demo database. */
    static DemoCluster start(SandboxConfig config) {
        try {
            Path dir = Files.createTempDirectory("sandbox-it");
            return new DemoCluster(Sandbox.start(config.withDataDir(dir).withDemoDatabase(true)), dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Pod pod() {
        return client.pods().inNamespace(NS).withName(POD).get();
    }

    /** Waits until pg-rook-sf-0 is Running and Ready and the Service answers; returns the pod. */
    Pod awaitReady() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Pod p = pod();
            return p != null && p.getMetadata().getDeletionTimestamp() == null && isReady(p) && canQuery();
        });
        return pod();
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    String nodeOf(Pod p) {
        return p.getSpec().getNodeName();
    }

    private boolean canQuery() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            return s.execute("SELECT 1");
        } catch (SQLException e) {
            return false;
        }
    }

    Connection connect() throws SQLException {
        String url = sandbox.demoDatabaseJdbcUrl().orElseThrow(() -> new SQLException("no demo database yet"));
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "3");
        props.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(url, props);
    }

    void sql(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(String table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void scale(int replicas) {
        client.apps().statefulSets().inNamespace(NS).withName(DemoDatabase.NAME).scale(replicas);
    }

    @Override
    public void close() {
        sandbox.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    boolean isTerminating(Pod p) {
        return p != null && p.getMetadata().getDeletionTimestamp() != null;
    }

    io.fabric8.kubernetes.api.model.Node node(String name) {
        return client.nodes().withName(name).get();
    }

    String readiness(String node) {
        return io.pgwarden.sandbox.control.ClusterView.ready(node(node)).map(c -> c.getStatus()).orElse("");
    }

    /** Waits for a pod object other than the given one (uid) to be Running and Ready. */
    Pod awaitReplacementReady(Pod old, Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
                Pod p = pod();
                return p != null && !p.getMetadata().getUid().equals(old.getMetadata().getUid()) && isReady(p)
                        && !isTerminating(p);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no ready replacement of " + POD + "; " + describe(), e);
        }
        return awaitReady();
    }

    /** The cluster's state for a failure message. */
    String describe() {
        StringBuilder s = new StringBuilder("pod: ").append(pod()).append("\npvcs: ")
                .append(client.persistentVolumeClaims().inAnyNamespace().list().getItems()).append("\ntimeline:\n");
        sandbox.timeline().entries().forEach(e -> s.append(e).append('\n'));
        return s.toString();
    }

    static final String FENCE_API = "csiaddons.openshift.io/v1alpha1";

    /** Creates or updates a NetworkFence as Rook writes one: driver, provisioner secret, clusterID. */
    void networkFence(String name, String fenceState, String... cidrs) {
        java.util.Map<String, Object> spec = java.util.Map.of("driver", StorageNames.CSI_DRIVER, "fenceState", fenceState,
                "cidrs", java.util.List.of(cidrs), "secret", java.util.Map.of("name", "rook-csi-rbd-provisioner",
                        "namespace", "rook-ceph"), "parameters", java.util.Map.of("clusterID", "rook-ceph"));
        networkFenceWithSpec(name, spec);
    }

    void networkFenceWithSpec(String name, java.util.Map<String, Object> spec) {
        var fences = client.genericKubernetesResources(FENCE_API, "NetworkFence");
        if (fences.withName(name).get() == null) {
            fences.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder().withApiVersion(FENCE_API)
                    .withKind("NetworkFence").withNewMetadata().withName(name).endMetadata()
                    .withAdditionalProperties(java.util.Map.of("spec", spec)).build()).create();
        } else {
            fences.withName(name).edit(f -> {
                f.getAdditionalProperties().put("spec", spec);
                return f;
            });
        }
    }

    /** The fence's status.result and status.message ("" while it has none). */
    java.util.Map<?, ?> networkFenceStatus(String name) {
        var fence = client.genericKubernetesResources(FENCE_API, "NetworkFence").withName(name).get();
        return fence != null && fence.getAdditionalProperties().get("status") instanceof java.util.Map<?, ?> m
                ? m : java.util.Map.of();
    }

    /** A PostgreSQL server log of a pod that ran on a node. */
    String serverLog(String node, String pod) throws java.io.IOException {
        Path log = dataDir.resolve("logs").resolve(node).resolve(pod + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The writers the invariant recorder saw on the demo volume, failing if it saw none. */
    java.util.List<io.pgwarden.sandbox.record.InvariantRecorder.Writer> writers() {
        var writers = sandbox.invariants().writers();
        org.assertj.core.api.Assertions.assertThat(writers).as("writers recorded").isNotEmpty();
        return writers;
    }
}
