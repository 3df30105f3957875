package io.pgwarden.gateway;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway does not start without a key to check tokens against and the issuer they must come from: SmallRye
 * JWT would otherwise refuse every token (no key) or accept any issuer's (no issuer), and neither is a setting
 * anyone means.
 */
@ApplicationScoped
public class TokenSettings {

    void check(@Observes StartupEvent ignored, Config config) {
        List<String> missing = new ArrayList<>();
        if (config.getOptionalValue("mp.jwt.verify.publickey.location", String.class).isEmpty()
                && config.getOptionalValue("mp.jwt.verify.publickey", String.class).isEmpty()) {
            missing.add("mp.jwt.verify.publickey.location (env MP_JWT_VERIFY_PUBLICKEY_LOCATION: the issuer's public"
                    + " key as a PEM or JWK(S) file or URL, e.g. an OIDC server's jwks_uri)");
        }
        if (config.getOptionalValue("mp.jwt.verify.issuer", String.class).isEmpty()) {
            missing.add("mp.jwt.verify.issuer (env MP_JWT_VERIFY_ISSUER: the iss every token must carry)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the gateway needs to know whose tokens to trust; set " + missing);
        }
    }
}
