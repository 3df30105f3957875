package io.pgwarden.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** backup-service's read-only catalog queries, passed on as it answers them, and its read of one restore; a null parameter is left out. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public interface BackupClient {

    /** A database's backups, newest first: at most limit, older than backup before when it is given. */
    @GET
    @Path("/backups")
    List<JsonNode> backups(@QueryParam("namespace") String namespace, @QueryParam("cluster") String cluster,
                           @QueryParam("limit") int limit, @QueryParam("before") String before);

    /** The newest backups of every database, at most perDatabase of each, newest first. */
    @GET
    @Path("/backups")
    List<JsonNode> newestOfEach(@QueryParam("newestOfEach") int perDatabase);

    /** Every backup schedule, with its latest recorded slot and its next. */
    @GET
    @Path("/schedules")
    List<JsonNode> schedules();

    @GET
    @Path("/backups/{id}")
    JsonNode backup(@PathParam("id") String id);

    /** The restore's database, as backup-service's {@code GET /restores/{id}} answers (other fields ignored). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RestoreView(String id, String backupId, String namespace, String cluster, String phase) {
    }

    @GET
    @Path("/restores/{id}")
    RestoreView restore(@PathParam("id") String id);
}
