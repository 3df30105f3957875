package io.pgwarden.contracts;

import io.pgwarden.contracts.command.Command;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.DeleteBackupSchedule;
import io.pgwarden.contracts.command.FailbackDatabase;
import io.pgwarden.contracts.command.MoveDatabase;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.SetBackupSchedule;
import io.pgwarden.contracts.command.StartDatabase;
import io.pgwarden.contracts.command.StopDatabase;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.command.UndoRestore;
import io.pgwarden.contracts.command.UnfenceNode;
import io.pgwarden.contracts.command.VerifyBackup;
import io.pgwarden.contracts.command.PauseFailover;
import io.pgwarden.contracts.command.ResumeFailover;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.PodHealthChanged;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every message type: its CloudEvents {@code type}, its body class, its topic and its JSON Schema.
 * Which service runs a command is that service's business: it registers the kinds it runs.
 */
public enum MessageType {
    CORDON_NODE(CordonNode.class, Topics.COMMANDS),
    UNCORDON_NODE(UncordonNode.class, Topics.COMMANDS),
    UNFENCE_NODE(UnfenceNode.class, Topics.COMMANDS),
    PAUSE_FAILOVER(PauseFailover.class, Topics.COMMANDS),
    RESUME_FAILOVER(ResumeFailover.class, Topics.COMMANDS),
    MOVE_DATABASE(MoveDatabase.class, Topics.COMMANDS),
    FAILBACK_DATABASE(FailbackDatabase.class, Topics.COMMANDS),
    STOP_DATABASE(StopDatabase.class, Topics.COMMANDS),
    START_DATABASE(StartDatabase.class, Topics.COMMANDS),
    TAKE_BACKUP(TakeBackup.class, Topics.COMMANDS),
    RESTORE_BACKUP(RestoreBackup.class, Topics.COMMANDS),
    DELETE_BACKUP(DeleteBackup.class, Topics.COMMANDS),
    VERIFY_BACKUP(VerifyBackup.class, Topics.COMMANDS),
    UNDO_RESTORE(UndoRestore.class, Topics.COMMANDS),
    SET_BACKUP_SCHEDULE(SetBackupSchedule.class, Topics.COMMANDS),
    DELETE_BACKUP_SCHEDULE(DeleteBackupSchedule.class, Topics.COMMANDS),
    NODE_HEALTH_CHANGED(NodeHealthChanged.class, Topics.NODE_HEALTH),
    POD_HEALTH_CHANGED(PodHealthChanged.class, Topics.POD_HEALTH),
    COMMAND_STATUS_CHANGED(CommandStatusChanged.class, Topics.COMMAND_STATUS),
    ACTIVITY_RECORDED(ActivityRecorded.class, Topics.ACTIVITY);

    private static final String PREFIX = "io.pgwarden.";

    private final Class<?> bodyClass;
    private final String topic;

    MessageType(Class<?> bodyClass, String topic) {
        this.bodyClass = bodyClass;
        this.topic = topic;
    }

    /** The CloudEvents {@code type} attribute, e.g. {@code io.pgwarden.CordonNode}. */
    public String ceType() {
        return PREFIX + bodyClass.getSimpleName();
    }

    public Class<?> bodyClass() {
        return bodyClass;
    }

    public String topic() {
        return topic;
    }

    public boolean isCommand() {
        return Command.class.isAssignableFrom(bodyClass);
    }

    /** Classpath location of the JSON Schema of the body. */
    public String schemaResource() {
        return "/schemas/" + bodyClass.getSimpleName() + ".schema.json";
    }

    public static Optional<MessageType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType().equals(ceType)).findFirst();
    }

    public static MessageType of(Class<?> bodyClass) {
        return Arrays.stream(values()).filter(t -> t.bodyClass.equals(bodyClass)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a pgwarden message: " + bodyClass));
    }
}
