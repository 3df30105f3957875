package io.pgwarden.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.logging.LogManager;

/** Quiet, one-line logging for the launcher's JVM, where the broker and the sandbox run. */
public final class LocalLogging {
    private LocalLogging() {
    }

    public static void configure() {
        try (InputStream in = LocalLogging.class.getResourceAsStream("/pgwarden-local-logging.properties")) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
