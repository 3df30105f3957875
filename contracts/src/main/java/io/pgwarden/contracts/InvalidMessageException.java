package io.pgwarden.contracts;

/**
 * A Kafka message that does not parse or validate. Carries whatever metadata could still be read,
 * so a command with a readable id can be answered REJECTED.
 */
public class InvalidMessageException extends RuntimeException {
    private final transient MessageMetadata metadata;

    public InvalidMessageException(String reason, MessageMetadata metadata) {
        super(reason);
        this.metadata = metadata;
    }

    /** The message's metadata, or null when the CloudEvents headers themselves were unreadable. */
    public MessageMetadata metadata() {
        return metadata;
    }
}
