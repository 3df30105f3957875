package io.pgwarden.contracts.command;

/** A command about automatic failover as a whole; keyed by {@link #SUBJECT}, so they apply in order. */
public sealed interface FailoverCommand extends Command permits PauseFailover, ResumeFailover {
    String SUBJECT = "failover";

    @Override
    default String subject() {
        return SUBJECT;
    }
}
