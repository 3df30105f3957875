package io.pgwarden.backup.api;

import io.pgwarden.backup.catalog.BackupCatalog;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;

/** The backup catalog, read-only; the gateway forwards {@code /api/v1/.../backups} reads here. */
@Path("/backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupsResource {
    private final BackupCatalog catalog;

    public BackupsResource(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    /** A database's backups, newest first, deleted and failed ones included. */
    @GET
    public List<BackupJson> list(@QueryParam("namespace") String namespace, @QueryParam("cluster") String cluster)
            throws SQLException {
        if (namespace == null || namespace.isBlank() || cluster == null || cluster.isBlank()) {
            throw new BadRequestException("both namespace and cluster are required: /backups?namespace=<ns>"
                    + "&cluster=<statefulset>");
        }
        return catalog.list(namespace, cluster).stream().map(BackupJson::of).toList();
    }

    @GET
    @Path("/{id}")
    public BackupJson one(@PathParam("id") String id) throws SQLException {
        return catalog.find(id).map(BackupJson::of)
                .orElseThrow(() -> new NotFoundException("no backup " + id + " in the catalog"));
    }
}
