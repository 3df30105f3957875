package io.pgwarden.contracts;

/** A decoded message: its CloudEvents attributes and its body. */
public record Envelope<T>(MessageMetadata metadata, T body) {
}
