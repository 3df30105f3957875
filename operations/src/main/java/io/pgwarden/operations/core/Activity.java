package io.pgwarden.operations.core;

/** A line for the subject's timeline: what an operation did or found, in the domain's words. */
public record Activity(String subject, String action, boolean changed, String detail) {
}
