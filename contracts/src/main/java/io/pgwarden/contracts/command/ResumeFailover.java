package io.pgwarden.contracts.command;

import jakarta.validation.constraints.Size;

/** End a {@link PauseFailover}: incidents waiting on the pause go on. */
public record ResumeFailover(@Size(max = 512) String reason) implements FailoverCommand {
}
