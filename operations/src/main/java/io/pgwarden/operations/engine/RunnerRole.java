package io.pgwarden.operations.engine;

/** Who this replica is, and whether it may run operations now (it leads). */
public interface RunnerRole {

    String runner();

    boolean mayRun();
}
