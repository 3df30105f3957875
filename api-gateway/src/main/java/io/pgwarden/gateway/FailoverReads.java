package io.pgwarden.gateway;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The incidents and the managed databases, read from failover-service, which owns them. Its answers are passed on;
 * its silence becomes a {@link FailoverUnavailableException} (a 503 that says so), never an empty list that would
 * look like "no incidents" or "no databases".
 */
@ApplicationScoped
public class FailoverReads implements IncidentReadModel.Source {
    private static final Logger LOG = Logger.getLogger(FailoverReads.class);
    private static final String AT = "failover-service at ";

    private final FailoverClient client;
    private final String url;

    public FailoverReads(GatewayConfig config) {
        this.url = config.failoverUrl().toString();
        long timeout = config.failoverTimeout().toMillis();
        this.client = QuarkusRestClientBuilder.newBuilder().baseUri(config.failoverUrl())
                .connectTimeout(timeout, TimeUnit.MILLISECONDS).readTimeout(timeout, TimeUnit.MILLISECONDS)
                .build(FailoverClient.class);
    }

    /** Newest first; null parameters mean any. */
    @Override
    public List<IncidentView> incidents(String node, String state, String limit) {
        return call(() -> client.incidents(node, state, limit), null);
    }

    @Override
    public IncidentView incident(String id) {
        return call(() -> client.incident(id), "no incident " + id);
    }

    public ClustersAnswer clusters() {
        return call(client::clusters, null);
    }

    /** @param notFound what a 404 means for this one thing; null where a 404 is an error of failover-service */
    private <T> T call(Supplier<T> request, String notFound) {
        try {
            return request.get();
        } catch (ProcessingException e) {
            throw new FailoverUnavailableException(503, AT + url + " did not answer (" + rootMessage(e) + ")", e);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 && notFound != null) {
                throw new NotFoundException(notFound);
            }
            String detail = detail(e);
            LOG.warnf("failover-service answered %d to a read: %s", status, detail);
            if (status == 503) {
                throw new FailoverUnavailableException(503, AT + url + " cannot answer now (" + detail + ")", e);
            }
            throw new FailoverUnavailableException(502, AT + url + " answered HTTP " + status + " (" + detail + ")",
                    e);
        }
    }

    private static String detail(WebApplicationException e) {
        try {
            return e.getResponse().readEntity(Problem.class).detail();
        } catch (RuntimeException unreadable) {
            return e.getResponse().getStatusInfo().getReasonPhrase();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /**
     * failover-service did not answer or cannot read its incidents now (503, worth a retry), or it answered
     * with an error (502).
     */
    public static final class FailoverUnavailableException extends RuntimeException {
        private final int status;

        FailoverUnavailableException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
