package io.pgwarden.gateway;

import io.pgwarden.testing.TestClock;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import javax.crypto.SecretKey;
import java.lang.reflect.Proxy;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedTokensTest {
    private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");

    private final TestClock clock = new TestClock(T0);
    /** Tokens "good-<exp epoch seconds>" verify; anything else fails. Each check is recorded. */
    private final List<String> checked = new ArrayList<>();
    private final VerifiedTokens tokens = new VerifiedTokens(new Checker(), Duration.ofSeconds(10), clock);

    @Test
    void a_token_verified_once_is_not_checked_again_for_the_ttl() throws Exception {
        String token = "good-" + T0.plusSeconds(3600).getEpochSecond();
        JsonWebToken first = tokens.parse(token);
        clock.set(T0.plusSeconds(9));
        assertThat(tokens.parse(token)).isSameAs(first);
        assertThat(checked).hasSize(1);

        clock.set(T0.plusSeconds(10));
        tokens.parse(token);
        assertThat(checked).hasSize(2);
    }

    @Test
    void a_token_that_expires_sooner_is_checked_again_once_it_has_expired() throws Exception {
        String token = "good-" + T0.plusSeconds(4).getEpochSecond();
        tokens.parse(token);
        clock.set(T0.plusSeconds(3));
        tokens.parse(token);
        assertThat(checked).hasSize(1);
        clock.set(T0.plusSeconds(4));
        tokens.parse(token);
        assertThat(checked).hasSize(2);
    }

    @Test
    void failures_are_never_remembered_and_a_token_differing_in_one_byte_is_checked() throws Exception {
        assertThatThrownBy(() -> tokens.parse("forged")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> tokens.parse("forged")).isInstanceOf(ParseException.class);
        String token = "good-" + T0.plusSeconds(3600).getEpochSecond();
        tokens.parse(token);
        assertThatThrownBy(() -> tokens.parse(token + "x")).isInstanceOf(ParseException.class);
        assertThat(checked).containsExactly("forged", "forged", token, token + "x");
    }

    @Test
    void at_most_max_entries_are_kept() throws Exception {
        for (int i = 0; i <= VerifiedTokens.MAX_ENTRIES; i++) {
            tokens.parse("good-" + (T0.getEpochSecond() + 3600 + i));
        }
        checked.clear();
        tokens.parse("good-" + (T0.getEpochSecond() + 3600 + VerifiedTokens.MAX_ENTRIES));
        tokens.parse("good-" + (T0.getEpochSecond() + 3600));
        assertThat(checked).as("the table was emptied when full; the last one kept").hasSize(1);
    }

    private final class Checker implements JWTParser {
        @Override
        public JsonWebToken parse(String token) throws ParseException {
            checked.add(token);
            if (!token.matches("good-\\d+")) {
                throw new ParseException("bad signature");
            }
            long exp = Long.parseLong(token.substring(5));
            return (JsonWebToken) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{JsonWebToken.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getExpirationTime" -> exp;
                        case "getName" -> token;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> null;
                    });
        }

        @Override
        public JsonWebToken parse(String token, JWTAuthContextInfo context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken verify(String token, PublicKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken verify(String token, SecretKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken verify(String token, String secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken decrypt(String token, PrivateKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken decrypt(String token, SecretKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken decrypt(String token, String secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JsonWebToken parseOnly(String token) {
            throw new UnsupportedOperationException();
        }
    }
}
