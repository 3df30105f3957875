package io.pgwarden.contracts.command;

import jakarta.validation.constraints.Size;

/** Stop starting fences and releases everywhere until {@link ResumeFailover}; incidents still record what they see. */
public record PauseFailover(@Size(max = 512) String reason) implements FailoverCommand {
}
