package io.pgwarden.contracts.command;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a snapshot backup treats the running database. */
public enum BackupMethod {
    /**
     * {@code pg_backup_start}, the snapshots of every claim, {@code pg_backup_stop}, all on one session; the
     * {@code backup_label} it returns is kept with the backup and written back at restore.
     */
    @JsonProperty("online") ONLINE,
    /** The snapshot of the live volume alone, restored like a crash; refused for a pod with several claims. */
    @JsonProperty("crash-consistent") CRASH_CONSISTENT,
    /** A planned outage: scale to 0, snapshot, scale back. */
    @JsonProperty("cold") COLD;

    /** The name in commands, annotations and the API. */
    public String wireName() {
        try {
            return BackupMethod.class.getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
