package io.pgwarden.gateway;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How fast a resuming client of the event stream reads, for its replay: the replay reads the topics as fast as the
 * broker serves them, so it waits until the client asks for more ({@link #await}) rather than overflow the client's
 * buffer and end the stream of a client that is merely catching up. The shared live tail never waits: a client too
 * slow for it loses its stream (client-buffer).
 */
final class ClientDemand {
    /** How long one wait lasts before the client's state is read again, in case a request slipped past. */
    private static final long RECHECK_MILLIS = 1000;

    private final LongSupplier requested;
    private final Object signal = new Object();

    /** @param requested how many events the client has asked for and not been given */
    ClientDemand(LongSupplier requested) {
        this.requested = requested;
    }

    /** The client asked for more. */
    void requested() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Returns once the client wants an event, or once closed says it is gone. */
    void await(BooleanSupplier closed) throws InterruptedException {
        synchronized (signal) {
            while (requested.getAsLong() <= 0 && !closed.getAsBoolean()) {
                signal.wait(RECHECK_MILLIS);
            }
        }
    }
}
