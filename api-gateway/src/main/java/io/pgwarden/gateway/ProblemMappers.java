package io.pgwarden.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.pgwarden.contracts.MessageDecoder;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.lang.reflect.Method;
import java.util.Comparator;
import java.util.List;

/** Every error the API gives is problem+json that says what is wrong; none leaks a stack trace. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> f.field() + " " + f.message())
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return problem(400, "Invalid request", detail, uri, errors);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        return problem(400, "Unreadable request body", MessageDecoder.describe(e), uri, null);
    }

    /** Quarkus maps this subclass itself; ours must be as specific to win. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    /** The same Idempotency-Key with another command: nothing stored, the key named. */
    @ServerExceptionMapper
    public Response keyReused(IdempotencyKeys.IdempotencyKeyReusedException e, UriInfo uri) {
        return problem(422, "Idempotency-Key reused", e.getMessage(), uri, null);
    }

    /** The only 503: the database did not take the command. Kafka being away is not a reason (outbox). */
    @ServerExceptionMapper
    public Response databaseDown(CommandSubmitter.DatabaseUnavailableException e, UriInfo uri) {
        LOG.warn(e.getMessage(), e);
        String detail = e.outcomeUnknown()
                ? "the database did not confirm storing command " + e.commandId() + ": it may or may not be stored;"
                + " GET /api/v1/commands/" + e.commandId() + " tells, and a retry with the same Idempotency-Key is safe"
                : "the database is unavailable: nothing was stored; retry";
        return Response.fromResponse(problem(503, "Service unavailable", detail, uri, null))
                .header("Retry-After", "5").build();
    }

    /**
     * Incident, cluster and backup reads need the service that owns them; without it the answer says so. Logged at
     * debug: the copy's refresh warns once when the service falls silent, not once per read while it is.
     */
    @ServerExceptionMapper
    public Response upstreamDown(Upstream.UnavailableException e, UriInfo uri) {
        LOG.debug(e.getMessage());
        Response problem = problem(e.status(), e.status() == 503 ? "Service unavailable" : "Bad gateway",
                e.getMessage(), uri, null);
        return e.status() == 503 ? Response.fromResponse(problem).header("Retry-After", "5").build() : problem;
    }

    /** The event stream before it has found the topics' ends after the start: a moment, so the client retries. */
    @ServerExceptionMapper
    public Response eventsStarting(EventTail.NotReadyException e, UriInfo uri) {
        return Response.fromResponse(problem(503, "Service unavailable", e.getMessage(), uri, null))
                .header("Retry-After", "2").build();
    }

    /**
     * No token, or one that is not valid: expired, not signed by the configured key, or from another issuer. The
     * detail does not say which, as a refused token's owner may be someone probing; the log does (debug).
     * {@code WWW-Authenticate} as RFC 6750 section 3 asks of a bearer-protected resource.
     */
    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri) {
        LOG.debugf("token refused for %s: %s", uri.getPath(), e.getCause() == null ? e : e.getCause());
        return signInFirst(uri, "invalid_token", "the bearer token was refused: expired, not signed by the key the"
                + " gateway trusts, or not from its issuer; get a new one");
    }

    @ServerExceptionMapper
    public Response anonymous(UnauthorizedException e, UriInfo uri) {
        return signInFirst(uri, null, "this route needs a bearer token: send Authorization: Bearer <token>");
    }

    private static Response signInFirst(UriInfo uri, String error, String detail) {
        String challenge = "Bearer realm=\"pgwarden\"" + (error == null ? "" : ", error=\"" + error + "\"");
        return Response.fromResponse(problem(401, "Unauthorized", detail, uri, null))
                .header("WWW-Authenticate", challenge).build();
    }

    /** Signed in, but the route needs a higher role: the detail names it, from the route's own annotation. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        RolesAllowed needed = method == null ? null : method.getAnnotation(RolesAllowed.class);
        String detail = needed == null ? "this route is not open to any role"
                : "this route needs role " + String.join(" or ", needed.value()) + " (or a higher one); your token"
                + " does not have it";
        return problem(403, "Forbidden", detail, uri, null);
    }

    @ServerExceptionMapper
    public Response rateLimited(RateLimits.RateLimitedException e, UriInfo uri) {
        return Response.fromResponse(problem(429, "Too many commands", e.getMessage(), uri, null))
                .header("Retry-After", String.valueOf(e.retryAfterSeconds())).build();
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json, uri);
        }
        return problem(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), uri, null);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.error("unexpected error serving " + uri.getPath(), e);
        return problem(500, "Internal error", "the gateway failed to serve this request; see its log", uri, null);
    }

    static Response problem(int status, String title, String detail, UriInfo uri, List<Problem.FieldError> errors) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, uri.getPath(), errors)).build();
    }

    /** {@code cordon.node} → {@code node}: the request part the client named, not the Java method. */
    private static String field(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
