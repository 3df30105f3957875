package io.pgwarden.service;

import io.pgwarden.contracts.event.CommandStatusChanged;

/** Where command statuses go: the command-status topic, or a list in unit tests. */
@FunctionalInterface
public interface StatusSink {
    void send(CommandStatusChanged status, String correlationId);
}
