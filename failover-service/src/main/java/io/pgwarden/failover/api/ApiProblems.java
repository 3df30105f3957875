package io.pgwarden.failover.api;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;
import java.util.stream.Collectors;

/** Every error of this service's API is problem+json that says what is wrong, like the gateway's. */
public class ApiProblems {
    private static final Logger LOG = Logger.getLogger(ApiProblems.class);

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        String detail = e.getConstraintViolations().stream().map(v -> field(v) + " " + v.getMessage()).sorted()
                .collect(Collectors.joining("; "));
        return problem(400, "Invalid request", detail, uri);
    }

    /** The catalog database is away: the answer says so, the caller may retry. */
    @ServerExceptionMapper
    public Response databaseDown(SQLException e, UriInfo uri) {
        LOG.warnf("cannot read the catalog database: %s", e.getMessage());
        return Response.fromResponse(problem(503, "Service unavailable",
                "the catalog database is unavailable: " + e.getMessage(), uri)).header("Retry-After", "5").build();
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        Response problem = problem(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), uri);
        String retryAfter = e.getResponse().getHeaderString("Retry-After");
        return retryAfter == null ? problem : Response.fromResponse(problem).header("Retry-After", retryAfter).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.error("unexpected error serving " + uri.getPath(), e);
        return problem(500, "Internal error", "failover-service failed to serve this request; see its log", uri);
    }

    static Response problem(int status, String title, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, uri.getPath())).build();
    }

    /** {@code list.limit} → {@code limit}: the request part the client named, not the Java method. */
    private static String field(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
