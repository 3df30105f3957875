package io.pgwarden.gateway;

import io.pgwarden.embedded.LocalIssuer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A token issuer for the gateway under test: the gateway trusts its key and issuer, and every RestAssured request
 * carries an admin's token unless it sets its own, so a test that is not about security reads as before. Commands
 * are not rate-limited here ({@link SecurityIT} tests the limit with its own settings).
 */
public class SignedIn implements QuarkusTestResourceLifecycleManager {
    static final String ADMIN_SUBJECT = "it-admin";
    private static volatile LocalIssuer issuer;
    private Filter signIn;

    /** The running test's issuer, to sign tokens of any kind. */
    static LocalIssuer issuer() {
        return issuer;
    }

    /** A token for subject with the given roles, valid for an hour. */
    static String token(String subject, String... roles) {
        return issuer.token(subject, List.of(roles), Duration.ofHours(1));
    }

    static String bearer(String subject, String... roles) {
        return "Bearer " + token(subject, roles);
    }

    @Override
    public Map<String, String> start() {
        try {
            issuer = LocalIssuer.in(Files.createTempDirectory("pgwarden-it-issuer"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (signInByDefault()) {
            String admin = bearer(ADMIN_SUBJECT, Roles.ADMIN);
            signIn = (request, response, context) -> {
                if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                    request.header("Authorization", admin);
                }
                return context.next(request, response);
            };
            RestAssured.filters(signIn);
        }
        Map<String, String> config = new HashMap<>(Map.of(
                "mp.jwt.verify.publickey.location", issuer.publicKeyFile().toString(),
                "mp.jwt.verify.issuer", LocalIssuer.ISSUER));
        config.putAll(limits());
        return config;
    }

    /** Whether requests carry an admin's token unless they say otherwise. */
    protected boolean signInByDefault() {
        return true;
    }

    protected Map<String, String> limits() {
        return Map.of("pgwarden.gateway.rate-limit.enabled", "false");
    }

    @Override
    public void stop() {
        if (signIn != null) {
            RestAssured.replaceFiltersWith(RestAssured.filters().stream().filter(f -> f != signIn).toList());
        }
    }
}
