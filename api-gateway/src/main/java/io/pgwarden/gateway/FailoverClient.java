package io.pgwarden.gateway;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/**
 * failover-service's read-only queries: its incidents ({@code IncidentsResource}) and its managed databases
 * ({@code ClustersResource}); a null parameter is left out.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public interface FailoverClient {

    @GET
    @Path("/incidents")
    List<IncidentView> incidents(@QueryParam("node") String node, @QueryParam("state") String state,
                                 @QueryParam("limit") int limit, @QueryParam("before") String before);

    @GET
    @Path("/incidents/{id}")
    IncidentView incident(@PathParam("id") String id);

    @GET
    @Path("/clusters")
    ClustersAnswer clusters();
}
