package io.pgwarden.gateway;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** backup-service's reads of one restore and of one backup. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public interface BackupClient {

    /** The restore's database, as backup-service's {@code GET /restores/{id}} answers (other fields ignored). */
    record RestoreView(String id, String backupId, String namespace, String cluster, String phase) {
    }

    @GET
    @Path("/restores/{id}")
    RestoreView restore(@PathParam("id") String id);

    /** The backup's database, as backup-service's {@code GET /backups/{id}} answers (other fields ignored). */
    record BackupView(String id, String namespace, String cluster, String phase) {
    }

    @GET
    @Path("/backups/{id}")
    BackupView backup(@PathParam("id") String id);
}
