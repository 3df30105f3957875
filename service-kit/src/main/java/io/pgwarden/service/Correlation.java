package io.pgwarden.service;

import org.jboss.logging.MDC;

/** Marks every log line of the work of one command or incident with its correlation id. */
public final class Correlation implements AutoCloseable {
    /** The MDC key; the log format prints it as {@code %X{correlationId}}. */
    public static final String MDC_KEY = "correlationId";

    private final Object previous;

    private Correlation(String id) {
        previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
    }

    public static Correlation open(String correlationId) {
        return new Correlation(correlationId);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, previous);
        }
    }
}
