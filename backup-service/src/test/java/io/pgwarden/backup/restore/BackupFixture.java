package io.pgwarden.backup.restore;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.Names;
import io.pgwarden.sandbox.StorageNames;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Test-only backups, made by hand as docs/backups.md describes TakeBackup's (which another branch builds): online,
 * pg_backup_start on one session through the database's Service, a VolumeSnapshot of the claim, pg_backup_stop, then
 * the claim's wal-tail snapshot; crash-consistent, the snapshot alone. Each ends with its catalog rows.
 */
public final class BackupFixture {
    static final String MOUNT = "/var/lib/postgresql/data";
    private final KubernetesClient client;
    private final DataSource catalog;
    private final String namespace;

    public BackupFixture(KubernetesClient client, DataSource catalog, String namespace) {
        this.client = client;
        this.catalog = catalog;
        this.namespace = namespace;
    }

    /** What pg_backup_stop returned. */
    public record Stopped(String startLsn, String stopLsn, String labelFile, String mapFile) {
    }

    /** pg_backup_start(fast) on the session; returns its start LSN. */
    public static String start(Connection session, String label) throws Exception {
        try (Statement s = session.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backup_start('"
                + label + "', true)::text")) {
            r.next();
            return r.getString(1);
        }
    }

    public static Stopped stop(Connection session, String startLsn) throws Exception {
        try (Statement s = session.createStatement(); ResultSet r = s.executeQuery(
                "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(wait_for_archive => false)")) {
            r.next();
            return new Stopped(startLsn, r.getString(1), r.getString(2), r.getString(3));
        }
    }

    /** A VolumeSnapshot of the claim, waited for until it is ready to use. */
    public void snapshot(String name, String claim, String backupId) {
        var snapshots = client.genericKubernetesResources(RestoreWorld.SNAPSHOT_API, "VolumeSnapshot")
                .inNamespace(namespace);
        snapshots.resource(new GenericKubernetesResourceBuilder().withApiVersion(RestoreWorld.SNAPSHOT_API)
                .withKind("VolumeSnapshot").withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Names.BACKUP_ID_LABEL, backupId).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("volumeSnapshotClassName", StorageNames.SNAPSHOT_CLASS,
                        "source", Map.of("persistentVolumeClaimName", claim)))).build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(snapshots.withName(name).get()));
    }

    /** The catalog rows of a backup of one claim, as TakeBackup writes them. */
    public void record(String id, String cluster, String method, String phase, Stopped stopped, String claim)
            throws Exception {
        try (Connection c = catalog.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO backup (id, namespace, cluster, method, driver,"
                    + " label, phase, operation_id, started_at, completed_at, start_lsn, stop_lsn, backup_label,"
                    + " tablespace_map, error) VALUES (?, ?, ?, ?, 'csi', ?, ?, ?, ?, ?, ?::pg_lsn, ?::pg_lsn, ?, ?, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                s.setString(1, id);
                s.setString(2, namespace);
                s.setString(3, cluster);
                s.setString(4, method);
                s.setString(5, "test " + id);
                s.setString(6, phase);
                s.setString(7, "op-" + id);
                s.setTimestamp(8, now);
                s.setTimestamp(9, now);
                s.setString(10, stopped == null ? null : stopped.startLsn());
                s.setString(11, stopped == null ? null : stopped.stopLsn());
                s.setString(12, stopped == null ? null : stopped.labelFile());
                s.setString(13, stopped == null ? null : stopped.mapFile());
                s.setString(14, "failed".equals(phase) ? "the snapshot never became ready" : null);
                s.executeUpdate();
            }
            snapshotRow(c, id, claim, "data", id + "-data");
            if (stopped != null) {
                snapshotRow(c, id, claim, "wal-tail", id + "-wal-tail");
            }
        }
    }

    private static void snapshotRow(Connection c, String id, String claim, String role, String snapshot)
            throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO backup_snapshot (backup_id, claim, role, snapshot,"
                + " restore_size, mount_path, holds_wal, created_at) VALUES (?, ?, ?, ?, 1073741824, ?, true, now())")) {
            s.setString(1, id);
            s.setString(2, claim);
            s.setString(3, role);
            s.setString(4, snapshot);
            s.setString(5, MOUNT);
            s.executeUpdate();
        }
    }

    private static boolean ready(GenericKubernetesResource snapshot) {
        return snapshot != null && snapshot.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && Boolean.TRUE.equals(status.get("readyToUse"));
    }
}
