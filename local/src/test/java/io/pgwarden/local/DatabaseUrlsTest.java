package io.pgwarden.local;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database variables of .pgwarden/local.env, without I/O. */
class DatabaseUrlsTest {

    @Test
    void aJdbcUrlBecomesALibpqUriWithTheUser() {
        assertThat(DatabaseUrls.libpq("jdbc:postgresql://127.0.0.1:55433/postgres", "postgres"))
                .isEqualTo("postgresql://postgres@127.0.0.1:55433/postgres");
        assertThat(DatabaseUrls.libpq("jdbc:postgresql://localhost/pgwarden", "app user"))
                .isEqualTo("postgresql://app+user@localhost/pgwarden");
        assertThatThrownBy(() -> DatabaseUrls.libpq("postgresql://127.0.0.1/x", "postgres"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void localEnvHasBothFormsOfEachDatabase() {
        assertThat(DatabaseUrls.variables("jdbc:postgresql://127.0.0.1:55432/pgwarden",
                Optional.of("jdbc:postgresql://127.0.0.1:55433/postgres")))
                .containsEntry("CATALOG_URL", "postgresql://postgres@127.0.0.1:55432/pgwarden")
                .containsEntry("CATALOG_JDBC_URL", "jdbc:postgresql://127.0.0.1:55432/pgwarden")
                .containsEntry("CATALOG_USER", "postgres")
                .containsEntry("DEMO_DB_URL", "postgresql://postgres@127.0.0.1:55433/postgres")
                .containsEntry("DEMO_DB_JDBC_URL", "jdbc:postgresql://127.0.0.1:55433/postgres");
        assertThat(DatabaseUrls.variables("jdbc:postgresql://127.0.0.1:55432/pgwarden", Optional.empty()))
                .doesNotContainKeys("DEMO_DB_URL", "DEMO_DB_JDBC_URL");
    }
}
