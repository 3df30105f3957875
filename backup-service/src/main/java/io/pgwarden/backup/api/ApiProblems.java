package io.pgwarden.backup.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;

/** Every error of this service's API is problem+json that says what is wrong, like the gateway's. */
public class ApiProblems {
    private static final Logger LOG = Logger.getLogger(ApiProblems.class);

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
        return problem(status.getStatusCode(), status.getReasonPhrase(), e.getMessage(), uri);
    }

    static Response problem(int status, String title, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", title, status, detail, uri.getPath())).build();
    }
}
