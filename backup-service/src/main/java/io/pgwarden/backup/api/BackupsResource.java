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
    private static final int MAX = 1000;
    private final BackupCatalog catalog;

    public BackupsResource(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * A database's backups, newest first, deleted and failed ones included: all of them, or a page of at most
     * {@code limit} older than backup {@code before}. Without a database, {@code newestOfEach} backups of every one
     * (the gateway's copy of the catalog).
     */
    @GET
    public List<BackupJson> list(@QueryParam("namespace") String namespace, @QueryParam("cluster") String cluster,
                                 @QueryParam("limit") Integer limit, @QueryParam("before") String before,
                                 @QueryParam("newestOfEach") Integer newestOfEach) throws SQLException {
        if (namespace == null && cluster == null && limit == null && before == null && newestOfEach != null) {
            return catalog.newestOfEach(atMost(MAX, "newestOfEach", newestOfEach)).stream().map(BackupJson::of)
                    .toList();
        }
        if (namespace == null || namespace.isBlank() || cluster == null || cluster.isBlank() || newestOfEach != null) {
            throw new BadRequestException("either a database, /backups?namespace=<ns>&cluster=<statefulset>"
                    + "[&limit=<1-" + MAX + ">][&before=<backup id>], or /backups?newestOfEach=<1-" + MAX + ">");
        }
        if (limit == null && before == null) {
            return catalog.list(namespace, cluster).stream().map(BackupJson::of).toList();
        }
        if (before != null && catalog.find(before).filter(b -> b.namespace().equals(namespace)
                && b.cluster().equals(cluster)).isEmpty()) {
            throw new BadRequestException("before=" + before + " is not a backup of " + namespace + "/" + cluster);
        }
        return catalog.page(namespace, cluster, atMost(MAX, "limit", limit == null ? MAX : limit), before).stream()
                .map(BackupJson::of).toList();
    }

    private static int atMost(int max, String name, int value) {
        if (value < 1 || value > max) {
            throw new BadRequestException(name + " must be from 1 to " + max + ", not " + value);
        }
        return value;
    }

    @GET
    @Path("/{id}")
    public BackupJson one(@PathParam("id") String id) throws SQLException {
        return catalog.find(id).map(BackupJson::of)
                .orElseThrow(() -> new NotFoundException("no backup " + id + " in the catalog"));
    }
}
