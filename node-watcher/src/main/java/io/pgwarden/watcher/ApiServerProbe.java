package io.pgwarden.watcher;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Whether the API server answers node-watcher: {@code GET /version}, one at a time. A watch can stay open and
 * silent when the network between node-watcher and the API server drops packets (nothing resets the connection);
 * this notices within {@code timeout}. Any answer counts, even an error status below 500: the server is there.
 */
final class ApiServerProbe {
    private final KubernetesClient client;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService thread;
    private volatile CompletableFuture<Void> inFlight;
    private volatile Instant startedAt;
    private volatile boolean answered;

    ApiServerProbe(KubernetesClient client, Duration timeout, Clock clock, ExecutorService thread) {
        this.client = client;
        this.timeout = timeout;
        this.clock = clock;
        this.thread = thread;
    }

    /** Asks again, unless a probe is still waiting for its answer. */
    void probe() {
        CompletableFuture<Void> previous = inFlight;
        if (previous != null && !previous.isDone()) {
            return;
        }
        startedAt = clock.instant();
        inFlight = CompletableFuture.runAsync(client::getKubernetesVersion, thread).handle((version, failure) -> {
            answered = failure == null || answeredWithError(failure);
            return null;
        });
    }

    /** The last probe got an answer, and none has been waiting for one longer than the timeout. */
    boolean answers() {
        CompletableFuture<Void> current = inFlight;
        if (current != null && !current.isDone() && clock.instant().isAfter(startedAt.plus(timeout))) {
            return false;
        }
        return answered;
    }

    private static boolean answeredWithError(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof KubernetesClientException e && e.getCode() > 0 && e.getCode() < 500;
    }
}
