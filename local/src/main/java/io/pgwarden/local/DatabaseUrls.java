package io.pgwarden.local;

import io.pgwarden.embedded.CatalogDatabase;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The database addresses the local run hands out, in the two forms people use: a libpq connection URI with the user
 * ({@code postgresql://postgres@127.0.0.1:55433/postgres}), which {@code psql "$DEMO_DB_URL"} takes as it is, and the
 * JDBC URL beside it for Java tools. Both servers (the catalog and the demo database's pods) trust local
 * connections (initdb -A trust), so the URIs carry no password.
 */
public final class DatabaseUrls {
    /** The superuser the demo database's PostgreSQL is initialised with (as the postgres image does). */
    public static final String DEMO_DATABASE_USER = "postgres";

    private DatabaseUrls() {
    }

    /**
     * The libpq URI of a {@code jdbc:postgresql://host:port/database} URL, with the user
     * (libpq "Connection URIs": postgresql://[user@]host[:port][/dbname]).
     */
    public static String libpq(String jdbcUrl, String user) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException("JDBC parameters have no libpq form here: " + jdbcUrl);
        }
        return "postgresql://" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "@" + uri.getHost()
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /**
     * The database variables of {@code .pgwarden/local.env}: {@code CATALOG_URL} and {@code DEMO_DB_URL} for psql,
     * {@code CATALOG_JDBC_URL} and {@code DEMO_DB_JDBC_URL} for JDBC, {@code CATALOG_USER}.
     */
    public static Map<String, String> variables(String catalogJdbcUrl, Optional<String> demoJdbcUrl) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("CATALOG_URL", libpq(catalogJdbcUrl, CatalogDatabase.USER));
        vars.put("CATALOG_JDBC_URL", catalogJdbcUrl);
        vars.put("CATALOG_USER", CatalogDatabase.USER);
        demoJdbcUrl.ifPresent(url -> {
            vars.put("DEMO_DB_URL", libpq(url, DEMO_DATABASE_USER));
            vars.put("DEMO_DB_JDBC_URL", url);
        });
        return vars;
    }
}
