package io.pgwarden.gateway;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the {@code Idempotency-Key} header as sent. The parameter's {@code @Pattern} cannot see an empty
 * value (it reaches the method as no header at all) nor a second header, so both would silently make a
 * request that is not retry-safe; here they are a 400 like any other invalid field.
 */
public class IdempotencyKeyFilter {
    static final String FIELD = "idempotencyKey";
    private static final Pattern VALID = Pattern.compile(Requests.IDEMPOTENCY_PATTERN);

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        List<String> values = request.getHeaders().get(Requests.IDEMPOTENCY_HEADER);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String message = values.size() > 1 ? "must be sent once, was sent " + values.size() + " times"
                : VALID.matcher(values.get(0)).matches() ? null : Requests.IDEMPOTENCY_MESSAGE;
        if (message == null) {
            return null;
        }
        return ProblemMappers.problem(400, "Invalid request", FIELD + " " + message, request.getUriInfo(),
                List.of(new Problem.FieldError(FIELD, message)));
    }
}
