package io.pgwarden.gateway;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** failover-service's incident queries (its {@code IncidentsResource}); a null parameter is left out. */
@Path("/incidents")
@Produces(MediaType.APPLICATION_JSON)
public interface FailoverClient {

    @GET
    List<IncidentView> list(@QueryParam("node") String node, @QueryParam("state") String state,
                            @QueryParam("limit") String limit);

    @GET
    @Path("/{id}")
    IncidentView get(@PathParam("id") String id);
}
