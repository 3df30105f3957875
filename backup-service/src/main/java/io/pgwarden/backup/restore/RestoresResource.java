package io.pgwarden.backup.restore;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** One restore, read-only: api-gateway reads it to send an undo to the restore's database. */
@Path("/restores")
@Produces(MediaType.APPLICATION_JSON)
public class RestoresResource {
    private final RestoreRecords records;

    public RestoresResource(RestoreRecords records) {
        this.records = records;
    }

    @GET
    @Path("/{id}")
    public RestoreRecords.Summary restore(@PathParam("id") String id) throws Exception {
        return records.summary(id).orElseThrow(() -> new NotFoundException("no restore " + id));
    }
}
