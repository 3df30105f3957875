package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** backup-service's read-only catalog queries ({@code BackupsResource} there), passed on as it answers them. */
@Path("/backups")
@Produces(MediaType.APPLICATION_JSON)
public interface BackupClient {

    @GET
    List<JsonNode> backups(@QueryParam("namespace") String namespace, @QueryParam("cluster") String cluster);

    @GET
    @Path("/{id}")
    JsonNode backup(@PathParam("id") String id);
}
