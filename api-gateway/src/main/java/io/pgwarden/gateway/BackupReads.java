package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The backup catalog, read from backup-service, which owns it, as {@link FailoverReads} reads failover-service: its
 * silence is a 503 that says so, never an empty list.
 */
@ApplicationScoped
public class BackupReads {
    private final BackupClient client;
    private final String url;

    public BackupReads(GatewayConfig config) {
        this.url = config.backupUrl().toString();
        long timeout = config.backupTimeout().toMillis();
        this.client = QuarkusRestClientBuilder.newBuilder().baseUri(config.backupUrl())
                .connectTimeout(timeout, TimeUnit.MILLISECONDS).readTimeout(timeout, TimeUnit.MILLISECONDS)
                .build(BackupClient.class);
    }

    /** Newest first. */
    public List<JsonNode> backups(String namespace, String cluster) {
        return call(() -> client.backups(namespace, cluster), null);
    }

    public JsonNode backup(String id) {
        return call(() -> client.backup(id), "no backup " + id);
    }

    /** A restore, to route its undo; the id is the restore command's id. */
    public BackupClient.RestoreView restore(String id) {
        return call(() -> client.restore(id), "no restore " + id + ": the id is the restore command's id");
    }

    private <T> T call(Supplier<T> request, String notFound) {
        try {
            return request.get();
        } catch (ProcessingException e) {
            throw new BackupServiceUnavailableException(503, url + " did not answer (" + e.getMessage() + ")", e);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 && notFound != null) {
                throw new NotFoundException(notFound);
            }
            throw new BackupServiceUnavailableException(status == 503 ? 503 : 502, url + " answered HTTP " + status,
                    e);
        }
    }

    /** backup-service did not answer or cannot read its catalog now (503), or answered with an error (502). */
    public static final class BackupServiceUnavailableException extends RuntimeException {
        private final int status;

        BackupServiceUnavailableException(int status, String message, Throwable cause) {
            super("backup-service at " + message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
