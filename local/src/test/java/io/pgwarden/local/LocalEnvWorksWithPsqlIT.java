package io.pgwarden.local;

import io.pgwarden.embedded.CatalogDatabase;
import io.pgwarden.sandbox.Sandbox;
import io.pgwarden.sandbox.SandboxConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The database addresses of .pgwarden/local.env as a user takes them: {@code psql "$DEMO_DB_URL"} and
 * {@code psql "$CATALOG_URL"} against the real servers (the catalog PostgreSQL, the demo database through its
 * sandbox Service), and the JDBC URLs with CATALOG_USER. Skipped where psql is not installed.
 */
class LocalEnvWorksWithPsqlIT {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void psqlTakesTheUrisAsTheyAreAndJdbcTheJdbcUrls() throws Exception {
        Path psql = List.of(Path.of("/usr/bin/psql"), Path.of("/usr/local/bin/psql")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeThat(psql).as("psql installed").isNotNull();
        try (CatalogDatabase catalog = CatalogDatabase.start(0, dir.resolve("catalog"));
             Sandbox sandbox = Sandbox.start(SandboxConfig.fast().withDataDir(dir.resolve("sandbox"))
                     .withDemoDatabase(true).withPorts(0, 0, 0))) {
            Instant deadline = Instant.now().plus(DEADLINE);
            while (sandbox.demoDatabaseJdbcUrl().isEmpty() && Instant.now().isBefore(deadline)) {
                TimeUnit.MILLISECONDS.sleep(100); // poll interval: the demo Service gets its port
            }
            Map<String, String> env = DatabaseUrls.variables(catalog.jdbcUrl(), sandbox.demoDatabaseJdbcUrl());
            assertThat(env).containsKeys("CATALOG_URL", "DEMO_DB_URL", "CATALOG_JDBC_URL", "DEMO_DB_JDBC_URL");
            awaitJdbc(env.get("DEMO_DB_JDBC_URL"), DatabaseUrls.DEMO_DATABASE_USER);
            awaitJdbc(env.get("CATALOG_JDBC_URL"), env.get("CATALOG_USER"));

            assertThat(psql(psql, env.get("CATALOG_URL"))).isEqualTo("postgres|pgwarden");
            assertThat(psql(psql, env.get("DEMO_DB_URL"))).isEqualTo("postgres|postgres");
        }
    }

    /** The JDBC URL with the user answers (the demo database comes up a while after the sandbox starts). */
    private static void awaitJdbc(String url, String user) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", user);
        props.setProperty("connectTimeout", "3");
        while (true) {
            try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                return;
            } catch (java.sql.SQLException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError(url + " never answered", e);
                }
            }
            TimeUnit.MILLISECONDS.sleep(250); // poll interval, bounded by the deadline
        }
    }

    /** psql "URI" -c ..., as a user types it, once; returns "user|database". */
    private static String psql(Path psql, String uri) throws IOException, InterruptedException {
        // -w: never prompt for a password (a URI that needs one fails instead of hanging)
        ProcessBuilder command = new ProcessBuilder(psql.toString(), uri, "-X", "-w", "-At", "-c",
                "SELECT current_user || '|' || current_database()").redirectErrorStream(true);
        command.environment().put("PGCONNECT_TIMEOUT", "5");
        Process p = command.start();
        p.getOutputStream().close();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("psql " + uri + " did not answer in 15 s");
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.exitValue()).as("psql %s: %s", uri, out).isZero();
        return out;
    }
}
