package io.pgwarden.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body longer than {@code quarkus.http.limits.max-body-size} is refused by its {@code Content-Length} before a byte
 * of it is read, as a 413 problem+json like every other error. Quarkus's own check (HttpServerCommonHandlers, route
 * order {@link RouteConstants#ROUTE_ORDER_UPLOAD_LIMIT}) answers a bare 413, so this one runs just before it; a
 * chunked body without a length still meets Quarkus's limit while it is read.
 */
@ApplicationScoped
public class BodySizeLimit {
    private final long maxBytes;
    private final ObjectMapper json;

    public BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize max, ObjectMapper json) {
        this.maxBytes = max.asLongValue();
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
    }

    private void check(RoutingContext context) {
        String length = context.request().getHeader("Content-Length");
        if (length == null || fits(length)) {
            context.next();
            return;
        }
        Problem problem = new Problem("about:blank", "Request body too large", 413, "the body has " + length
                + " bytes; at most " + maxBytes + " are accepted", context.request().path(), null);
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // The body is not read: the connection cannot carry another request after it.
        context.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end(body);
    }

    /** A length that is not a number is the HTTP layer's to refuse (400). */
    private boolean fits(String length) {
        try {
            return Long.parseLong(length.trim()) <= maxBytes;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
