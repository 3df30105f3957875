package io.pgwarden.gateway;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SmallRye JWT's parser with the tokens it verified remembered for {@code pgwarden.gateway.token-cache.ttl} (10 s),
 * or until they expire if that is sooner: a script or a page sends the same token with every request, and checking
 * its RSA signature each time was nine tenths of the gateway's work per read (the gateway benchmark's profile).
 * kube-apiserver does the same for bearer tokens (kubernetes {@code staging/src/k8s.io/apiserver/pkg/authentication/
 * token/cache/cached_token_authenticator.go}, 10 s for a success). Only successes are remembered, by the whole token
 * (signature included), so a token that differs in any byte is verified afresh; a failure is never cached.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens implements JWTParser {
    /** Past this many, expired entries are dropped, and if that is not enough, all. */
    static final int MAX_ENTRIES = 10_000;

    private record Verified(JsonWebToken token, Instant until) {
    }

    private final JWTParser parser;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Inject
    public VerifiedTokens(JWTAuthContextInfo context, GatewayConfig config, Clock clock) {
        this(new DefaultJWTParser(context), config.tokenCache().ttl(), clock);
    }

    VerifiedTokens(JWTParser parser, Duration ttl, Clock clock) {
        this.parser = parser;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        Instant now = clock.instant();
        Verified known = verified.get(token);
        if (known != null && now.isBefore(known.until())) {
            return known.token();
        }
        JsonWebToken parsed = parser.parse(token);
        Instant until = now.plus(ttl);
        if (parsed.getExpirationTime() > 0 && Instant.ofEpochSecond(parsed.getExpirationTime()).isBefore(until)) {
            until = Instant.ofEpochSecond(parsed.getExpirationTime());
        }
        if (now.isBefore(until)) {
            if (verified.size() >= MAX_ENTRIES) {
                verified.values().removeIf(v -> !now.isBefore(v.until()));
                if (verified.size() >= MAX_ENTRIES) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(parsed, until));
        }
        return parsed;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return parser.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return parser.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return parser.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return parser.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return parser.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return parser.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return parser.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return parser.parseOnly(token);
    }
}
