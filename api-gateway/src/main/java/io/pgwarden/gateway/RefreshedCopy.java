package io.pgwarden.gateway;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway's copy of something another service owns, fetched on a schedule by its read model and served from
 * memory (see {@link ClusterReadModel}). While the copy is younger than {@code staleAfter} it is served even if the
 * last fetches failed; older, a read fails with the last fetch's reason, saying since when the gateway has none.
 */
final class RefreshedCopy<T> {
    private static final Logger LOG = Logger.getLogger(RefreshedCopy.class);

    private record Fetched<T>(T value, Instant at) {
    }

    private final String what;
    private final String owner;
    private final Supplier<T> fetch;
    private final Duration staleAfter;
    private final Clock clock;
    private volatile Fetched<T> fetched;
    private volatile RuntimeException lastFailure;

    /**
     * @param what  what the copy is, in words: "list of the managed databases"
     * @param owner the service fetched from: "failover-service"
     */
    RefreshedCopy(String what, String owner, Supplier<T> fetch, Duration staleAfter, Clock clock) {
        this.what = what;
        this.owner = owner;
        this.fetch = fetch;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    void refresh() {
        try {
            fetched = new Fetched<>(fetch.get(), clock.instant());
            if (lastFailure != null) {
                LOG.infof("the gateway's %s is refreshed again", what);
            }
            lastFailure = null;
        } catch (RuntimeException e) {
            if (lastFailure == null || !Objects.equals(lastFailure.getMessage(), e.getMessage())) {
                LOG.warnf("the gateway's %s is not refreshed: %s", what, e.getMessage());
            }
            lastFailure = e;
        }
    }

    /** The copy, unless it is older than staleAfter or there is none. */
    Optional<T> ifFresh() {
        Fetched<T> f = fetched;
        return f != null && !clock.instant().isAfter(f.at().plus(staleAfter)) ? Optional.of(f.value())
                : Optional.empty();
    }

    /** @throws Upstream.UnavailableException when there is no copy younger than staleAfter */
    T current() {
        Optional<T> fresh = ifFresh();
        if (fresh.isPresent()) {
            return fresh.get();
        }
        Fetched<T> f = fetched;
        RuntimeException failure = lastFailure;
        String since = "; the gateway has no " + what + " since " + (f == null ? "it started" : f.at());
        if (failure instanceof Upstream.UnavailableException down) {
            throw new Upstream.UnavailableException(down.status(), down.getMessage() + since, down);
        }
        throw new Upstream.UnavailableException(503, owner + " has not been asked yet" + since, failure);
    }
}
