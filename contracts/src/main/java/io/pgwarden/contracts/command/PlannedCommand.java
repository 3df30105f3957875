package io.pgwarden.contracts.command;

/** A planned operation on a managed database (move, failback, stop, start), which may be asked as a dry run. */
public sealed interface PlannedCommand extends ClusterCommand
        permits MoveDatabase, FailbackDatabase, StopDatabase, StartDatabase {

    /** Only say the plan and each safety verdict; change nothing. */
    boolean dryRun();
}
