package io.pgwarden.failover.incident;

import io.pgwarden.database.DatabaseEndpoints;
import io.pgwarden.database.DatabaseWrites;
import io.pgwarden.database.PostgresWrites;
import io.pgwarden.database.SandboxAddresses;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgwarden.sandbox.DemoDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The write check against the sandbox's demo database, reached as the local run reaches it. */
class DatabaseWritesIT {
    static final String NS = DemoDatabase.NAMESPACE;
    static final String DB = DemoDatabase.NAME;
    static Sandbox sandbox;
    static KubernetesClient client;
    static DatabaseWrites writes;

    @BeforeAll
    static void start() throws Exception {
        sandbox = Sandbox.start(SandboxConfig.fast().withDemoDatabase(true)
                .withDataDir(Files.createTempDirectory("database-writes-it")));
        client = sandbox.client();
        writes = new PostgresWrites(new DatabaseEndpoints(client, new SandboxAddresses(sandbox.httpApiUrl())));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Pod pod = client.pods().inNamespace(NS).withName(DB + "-0").get();
            return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                    && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void a_primary_accepts_the_write_and_a_read_only_one_does_not() throws Exception {
        // The Service routes to the pod once the proxy has seen it Ready.
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.tryWrite(NS, DB).isEmpty());

        sql("ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()");
        try {
            assertThat(writes.tryWrite(NS, DB)).contains(NS + "/" + DB + " through Service " + DB + " (127.0.0.1:"
                    + sandbox.servicePort(NS, DB).orElseThrow() + ") as postgres: the server is read-only "
                    + "(transaction_read_only = on)");
        } finally {
            sql("ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()");
        }
        assertThat(writes.tryWrite(NS, DB)).isEmpty();
    }

    @Test
    void without_the_credentials_annotation_the_check_says_so() {
        patchAnnotation("null");
        try {
            assertThat(writes.tryWrite(NS, DB)).contains("StatefulSet default/pg-rook-sf has no annotation "
                    + "pgwarden.io/credentials-secret naming the Secret (username, password) to connect with");
            patchAnnotation("\"no-such-secret\"");
            assertThat(writes.tryWrite(NS, DB)).contains("the Secret default/no-such-secret that StatefulSet "
                    + "default/pg-rook-sf names for its credentials does not exist");
        } finally {
            patchAnnotation("\"" + DemoDatabase.CREDENTIALS_SECRET + "\"");
        }
        assertThat(writes.tryWrite(NS, "no-such-set")).contains("no StatefulSet default/no-such-set");
    }

    @Test
    void once_the_pod_is_gone_the_check_fails_fast_and_says_where_it_tried() {
        // Last: the database stays down.
        client.apps().statefulSets().inNamespace(NS).withName(DB).scale(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NS).withName(DB + "-0").get()
                == null);

        long start = System.nanoTime();
        Optional<String> problem = writes.tryWrite(NS, DB);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(problem).get().asString().startsWith("no write to default/pg-rook-sf through Service pg-rook-sf "
                + "(127.0.0.1:" + sandbox.servicePort(NS, DB).orElseThrow() + ") as postgres: ")
                .contains("Connection reset"); // a Service without endpoints resets the connection
    }

    private static void patchAnnotation(String json) {
        client.apps().statefulSets().inNamespace(NS).withName(DB).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"pgwarden.io/credentials-secret\":" + json + "}}}");
    }

    private static void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(sandbox.demoDatabaseJdbcUrl().orElseThrow(), "postgres", "");
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
