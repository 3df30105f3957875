package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/** Demo databases on the sandbox for the backup-service ITs: deployed, dropped, and queried through their Service. */
public final class SandboxDatabases {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final Sandbox sandbox;
    private final KubernetesClient client;
    private final String namespace;

    public SandboxDatabases(Sandbox sandbox, String namespace) {
        this.sandbox = sandbox;
        this.client = sandbox.client();
        this.namespace = namespace;
    }

    public void deploy(String db) {
        DemoDatabase.deploy(client, namespace, db);
        await().atMost(WAIT).until(() -> podReady(db));
    }

    public void drop(String db) {
        client.apps().statefulSets().inNamespace(namespace).withName(db).delete();
        client.services().inNamespace(namespace).withName(db).delete();
        client.secrets().inNamespace(namespace).withName(DemoDatabase.credentialsSecret(db)).delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace(namespace).withName(db + "-0").get() == null);
    }

    public boolean podReady(String db) {
        Pod p = client.pods().inNamespace(namespace).withName(db + "-0").get();
        return p != null && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A pod just Ready may not be behind its Service's proxy yet: the first connection is retried. */
    public Connection connect(String db) {
        AtomicReference<Connection> connection = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            int port = sandbox.servicePort(namespace, db).orElseThrow();
            connection.set(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                    "postgres", ""));
            return true;
        });
        return connection.get();
    }

    public void sql(String db, String sql) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    public List<Integer> ints(String db, String query) throws Exception {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            List<Integer> values = new ArrayList<>();
            while (r.next()) {
                values.add(r.getInt(1));
            }
            return values;
        }
    }
}
