package io.pgwarden.backup.rbd;

/** The rbd snapshot commands the driver runs (ceph {@code src/tools/rbd/action/Snap.cc}). */
public enum RbdAction {
    CREATE("create"),
    REMOVE("rm"),
    ROLLBACK("rollback");

    private final String word;

    RbdAction(String word) {
        this.word = word;
    }

    /** The command's word after {@code rbd snap}, also the value of the Job's action annotation. */
    public String word() {
        return word;
    }

    static RbdAction ofWord(String word) {
        for (RbdAction action : values()) {
            if (action.word.equals(word)) {
                return action;
            }
        }
        throw new IllegalArgumentException("no rbd snapshot action " + word);
    }
}
