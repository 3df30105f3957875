package io.pgwarden.failover;

import io.pgwarden.contracts.MessageMetadata;
import io.pgwarden.contracts.MessageType;
import io.pgwarden.contracts.command.CordonNode;
import io.pgwarden.contracts.command.UncordonNode;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.service.CommandProcessor.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeCommandsTest {
    private final Map<String, Boolean> unschedulable = new HashMap<>(Map.of("node001", false));
    private final List<String> timeline = new ArrayList<>();
    private final List<String> steps = new ArrayList<>();
    private final NodeCommands commands = new NodeCommands(
            (node, value) -> {
                Boolean current = unschedulable.get(node);
                if (current == null) {
                    return NodeScheduling.Change.NODE_NOT_FOUND;
                }
                unschedulable.put(node, value);
                return current == value ? NodeScheduling.Change.UNCHANGED : NodeScheduling.Change.CHANGED;
            },
            (subject, action, changed, detail, correlation) -> timeline.add(action + " " + changed));

    @Test
    void cordon_marks_the_node_and_says_it_changed_it() {
        Outcome outcome = commands.execute(new CordonNode("node001", null), metadata(), steps::add);

        assertThat(outcome.state()).isEqualTo(CommandState.SUCCEEDED);
        assertThat(unschedulable).containsEntry("node001", true);
        assertThat(steps).containsExactly("cordon");
        assertThat(timeline).containsExactly("NodeCordoned true");
    }

    @Test
    void cordoning_a_cordoned_node_succeeds_without_changing_anything() {
        commands.execute(new CordonNode("node001", null), metadata(), steps::add);
        Outcome again = commands.execute(new CordonNode("node001", null), metadata(), steps::add);

        assertThat(again).isEqualTo(Outcome.succeeded("node node001 was already cordoned"));
        assertThat(timeline).containsExactly("NodeCordoned true", "NodeAlreadyCordoned false");
    }

    @Test
    void uncordon_makes_it_schedulable_again() {
        unschedulable.put("node001", true);

        assertThat(commands.execute(new UncordonNode("node001", null), metadata(), steps::add).state())
                .isEqualTo(CommandState.SUCCEEDED);
        assertThat(unschedulable).containsEntry("node001", false);
        assertThat(timeline).containsExactly("NodeUncordoned true");
    }

    @Test
    void a_missing_node_fails_the_command_with_its_name() {
        Outcome outcome = commands.execute(new CordonNode("node404", null), metadata(), steps::add);

        assertThat(outcome).isEqualTo(Outcome.failed("node node404 does not exist"));
        assertThat(timeline).isEmpty();
    }

    private static MessageMetadata metadata() {
        return new MessageMetadata("c1", "/test", MessageType.CORDON_NODE.ceType(), Instant.EPOCH, "node001", "c1");
    }
}
