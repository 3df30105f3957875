package io.pgwarden.contracts;

import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.DeleteBackup;
import io.pgwarden.contracts.command.RestoreBackup;
import io.pgwarden.contracts.command.TakeBackup;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.event.ActivityRecorded;
import io.pgwarden.contracts.event.CommandStatusChanged;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.contracts.event.PodHealthChanged;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every message type: its CloudEvents {@code type}, its body class, its topic, its JSON Schema,
 * and for commands the service that executes it.
 */
public enum MessageType {
    CORDON_NODE(CordonNode.class, Topics.COMMANDS, Owner.FAILOVER),
    UNCORDON_NODE(UncordonNode.class, Topics.COMMANDS, Owner.FAILOVER),
    TAKE_BACKUP(TakeBackup.class, Topics.COMMANDS, Owner.BACKUP),
    RESTORE_BACKUP(RestoreBackup.class, Topics.COMMANDS, Owner.BACKUP),
    DELETE_BACKUP(DeleteBackup.class, Topics.COMMANDS, Owner.BACKUP),
    NODE_HEALTH_CHANGED(NodeHealthChanged.class, Topics.NODE_HEALTH, Owner.NONE),
    POD_HEALTH_CHANGED(PodHealthChanged.class, Topics.POD_HEALTH, Owner.NONE),
    COMMAND_STATUS_CHANGED(CommandStatusChanged.class, Topics.COMMAND_STATUS, Owner.NONE),
    ACTIVITY_RECORDED(ActivityRecorded.class, Topics.ACTIVITY, Owner.NONE);

    /** Which service executes a command; events have none. */
    public enum Owner { FAILOVER, BACKUP, NONE }

    private static final String PREFIX = "io.pgwarden.";

    private final Class<?> bodyClass;
    private final String topic;
    private final Owner owner;

    MessageType(Class<?> bodyClass, String topic, Owner owner) {
        this.bodyClass = bodyClass;
        this.topic = topic;
        this.owner = owner;
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

    public Owner owner() {
        return owner;
    }

    public boolean isCommand() {
        return owner != Owner.NONE;
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
