package io.pgwarden.gateway;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A service the gateway reads from (failover-service, backup-service), which owns what is read. Its answers are passed
 * on; its silence becomes an {@link UnavailableException} (a 503 that says so) and its errors a 502, never an empty
 * list that would look like "no incidents", "no databases" or "no backups".
 */
final class Upstream {
    private static final Logger LOG = Logger.getLogger(Upstream.class);

    private final String name;
    private final String at;

    /** @param name the service, as people call it: "failover-service" */
    Upstream(String name, URI url) {
        this.name = name;
        this.at = name + " at " + url;
    }

    /** A REST client of the service, answering within timeout or failing as silence. */
    static <C> C client(Class<C> api, URI url, Duration timeout) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(url)
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build(api);
    }

    /** @param notFound what a 404 means for this one thing; null where a 404 is an error of the service */
    <T> T call(Supplier<T> request, String notFound) {
        return call(request, notFound, null);
    }

    /** @param badRequest what the service's 400 means for the caller's request; null where it is the gateway's error */
    <T> T call(Supplier<T> request, String notFound, String badRequest) {
        try {
            return request.get();
        } catch (ProcessingException e) {
            throw new UnavailableException(503, at + " did not answer (" + rootMessage(e) + ")", e);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 && notFound != null) {
                throw new NotFoundException(notFound);
            }
            String detail = detail(e);
            if (status == 400 && badRequest != null) {
                throw new BadRequestException(badRequest + " (" + detail + ")");
            }
            LOG.warnf("%s answered %d to a read: %s", name, status, detail);
            if (status == 503) {
                throw new UnavailableException(503, at + " cannot answer now (" + detail + ")", e);
            }
            throw new UnavailableException(502, at + " answered HTTP " + status + " (" + detail + ")", e);
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

    /** The service did not answer or cannot read now (503, worth a retry), or it answered with an error (502). */
    public static final class UnavailableException extends RuntimeException {
        private final int status;

        UnavailableException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
