package io.pgwarden.backup.drill;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One backup's database and its last drill, read-only: api-gateway reads it to send a VerifyBackup to the backup's
 * database. NOTE for the merge: the full backup read ({@code GET /backups/{id}}) is built on the branch that builds
 * TakeBackup; this minimal one stands in until then, and its drill fields belong in that answer.
 */
@Path("/backups")
@Produces(MediaType.APPLICATION_JSON)
public class DrillsResource {
    private final DataSource dataSource;

    public DrillsResource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param verification verified, failed, or null: never verified
     * @param drillMillis  the last drill's measured restore time, to accepting queries
     * @param rtoMillis    the recovery-time objective that drill was held to
     */
    public record Backup(String id, String namespace, String cluster, String phase, String verification,
                         Instant verifiedAt, String verifyError, Long drillMillis, Long rtoMillis) {
    }

    @GET
    @Path("/{id}")
    public Backup backup(@PathParam("id") String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT id, namespace,"
                + " cluster, phase, verification, verified_at, verify_error, drill_millis, rto_millis FROM backup"
                + " WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new NotFoundException("no backup " + id);
                }
                return new Backup(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                        r.getTimestamp(6) == null ? null : r.getTimestamp(6).toInstant(), r.getString(7),
                        (Long) r.getObject(8), (Long) r.getObject(9));
            }
        }
    }
}
