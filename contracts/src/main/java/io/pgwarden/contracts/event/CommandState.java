package io.pgwarden.contracts.event;

/** The life of a command: ACCEPTED, then RUNNING steps, then one final state. */
public enum CommandState {
    ACCEPTED, RUNNING, SUCCEEDED, FAILED, REJECTED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == REJECTED;
    }
}
