package io.pgwarden.backup.rbd;

/**
 * What became of a step's Job, for an operation that persisted the step and looks again: {@code reason} says it in
 * words (for a failure, rbd's own error line).
 */
public record RbdJobState(String jobName, Phase phase, String reason) {

    public enum Phase {
        /** No such Job: never started, or deleted (by {@link RbdSnapshots#delete} or after keep-finished). */
        ABSENT,
        /** Created, its pod not finished yet (pending, pulling the image, running). */
        RUNNING,
        SUCCEEDED,
        FAILED
    }

    public boolean finished() {
        return phase == Phase.SUCCEEDED || phase == Phase.FAILED;
    }

    static RbdJobState absent(String jobName) {
        return new RbdJobState(jobName, Phase.ABSENT, "no Job " + jobName);
    }

    static RbdJobState running(String jobName, String reason) {
        return new RbdJobState(jobName, Phase.RUNNING, reason);
    }

    static RbdJobState succeeded(String jobName, String reason) {
        return new RbdJobState(jobName, Phase.SUCCEEDED, reason);
    }

    static RbdJobState failed(String jobName, String reason) {
        return new RbdJobState(jobName, Phase.FAILED, reason);
    }
}
