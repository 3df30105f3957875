package io.pgwarden.contracts.command;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a schedule does with a slot that passed while no backup-service ran. */
public enum MissedSlots {
    /** The latest missed slot runs once, at start-up; the ones before it are skipped. */
    @JsonProperty("run-once") RUN_ONCE,
    /** Missed slots are recorded as skipped; the next slot runs on time. */
    @JsonProperty("skip") SKIP
}
