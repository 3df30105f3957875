package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The backup catalog, read from backup-service, which owns it (see {@link Upstream}). */
@ApplicationScoped
public class BackupReads implements BackupReadModel.Source {
    private final BackupClient client;
    private final Upstream upstream;

    public BackupReads(GatewayConfig config) {
        this.client = Upstream.client(BackupClient.class, config.backupUrl(), config.backupTimeout());
        this.upstream = new Upstream("backup-service", config.backupUrl());
    }

    @Override
    public List<JsonNode> newestOfEach(int perDatabase) {
        return upstream.call(() -> client.newestOfEach(perDatabase), null);
    }

    @Override
    public List<JsonNode> backups(String namespace, String cluster, int limit, String before) {
        return upstream.call(() -> client.backups(namespace, cluster, limit, before), null,
                "cursor " + before + " " + CommandsResource.CURSOR_MESSAGE);
    }

    @Override
    public List<JsonNode> schedules() {
        return upstream.call(client::schedules, null);
    }

    @Override
    public JsonNode backup(String id) {
        return upstream.call(() -> client.backup(id), "no backup " + id);
    }

    /** A restore, to route its undo; the id is the restore command's id. */
    public BackupClient.RestoreView restore(String id) {
        return upstream.call(() -> client.restore(id), "no restore " + id + ": the id is the restore command's id");
    }
}
