package io.pgwarden.failover.decide;

import io.pgwarden.contracts.Names;
import io.pgwarden.failover.decide.PlannedView.StatefulSetSeen;
import io.pgwarden.operations.core.Activity;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One decision of a planned operation: its data as it will be remembered, and the steps every planned operation
 * words alike (refusals, the dry run, entering a phase with an activity, waiting, ending).
 */
abstract class PlannedTurn {
    static final String OUTCOME = "outcome";
    static final String FAILED = "failed";

    final Operation op;
    final PlannedView view;
    final Instant now;
    final PlannedSettings settings;
    final Map<String, String> data;
    final String namespace;
    final String name;
    /** {@code <namespace>/<cluster>}: the operation's subject, and the value of pgwarden's cordoned-for. */
    final String key;

    PlannedTurn(Operation op, String namespace, String name, PlannedView view, Instant now, PlannedSettings settings) {
        this.op = op;
        this.view = view;
        this.now = now;
        this.settings = settings;
        this.data = new HashMap<>(op.data());
        this.namespace = namespace;
        this.name = name;
        this.key = namespace + "/" + name;
    }

    String podName() {
        return name + "-0";
    }

    /** The refusal for a database that is not there or not pgwarden's, if it is one. */
    Optional<String> notManaged() {
        if (view.statefulSet().isEmpty()) {
            return Optional.of("no StatefulSet " + name + " in namespace " + namespace
                    + ": no such database (check the namespace and the name)");
        }
        if (!view.statefulSet().get().managed()) {
            return Optional.of("StatefulSet " + key + " is not managed by pgwarden: label it "
                    + Names.MANAGED_LABEL + "=true first");
        }
        return Optional.empty();
    }

    StatefulSetSeen statefulSet() {
        return view.statefulSet().orElseThrow();
    }

    Decision<PlannedAction> reject(String label, String reason) {
        return Decision.reject(reason, new Activity(key, label + "Rejected", false, reason));
    }

    Decision<PlannedAction> dryRun(String label, String plan) {
        String result = "dry run, nothing changed: " + plan + view.busyWith().map(holder -> "; database " + key
                + " is busy now with " + holder + ": the command would be REJECTED until that ends").orElse("");
        return Decision.succeed(result, new Activity(key, label + "DryRun", false, result));
    }

    Decision<PlannedAction> enter(String phase, String action, String step, List<PlannedAction> actions) {
        data.putIfAbsent(PlannedDecider.AT + phase, now.toString());
        return new Decision<>(actions, List.of(new Activity(key, action, true, step)), Decision.Next.CONTINUE, phase,
                data, step, null, null);
    }

    /** Look again after the poll, saying what for. */
    Decision<PlannedAction> waiting(String step) {
        return Decision.<PlannedAction>waitFor(op.phase(), step, settings.poll()).remembering(data);
    }

    /** Apply actions again (their first sending did not show yet, or was lost) and look again after the poll. */
    Decision<PlannedAction> waiting(String step, List<PlannedAction> actions) {
        return new Decision<>(actions, List.of(), Decision.Next.WAIT, op.phase(), data, step, settings.poll(), null);
    }

    /** Enter a last phase whose actions finish the work; {@link #end()} then reports the outcome. */
    Decision<PlannedAction> finishing(String phase, String action, String outcome, boolean failed,
                                      List<PlannedAction> actions) {
        data.put(OUTCOME, outcome);
        data.put(FAILED, String.valueOf(failed));
        return enter(phase, action, outcome, actions);
    }

    /** Fail where nothing is to be undone, with the outcome as an activity too. */
    Decision<PlannedAction> fail(String label, String outcome) {
        return Decision.fail(outcome, new Activity(key, label + "Failed", false, outcome));
    }

    Decision<PlannedAction> end() {
        String outcome = data.getOrDefault(OUTCOME, op.phase());
        return Boolean.parseBoolean(data.get(FAILED)) ? Decision.fail(outcome) : Decision.succeed(outcome);
    }

    Instant since(String dataKey) {
        String at = data.get(dataKey);
        return at == null ? now : Instant.parse(at);
    }

    Instant entered(String phase) {
        return since(PlannedDecider.AT + phase);
    }

    boolean past(Instant from, Duration limit) {
        return now.isAfter(from.plus(limit));
    }

    /**
     * ", 4 s": how long a wait has lasted, in whole seconds up to 10 s, then in steps of 5 s up to a minute, then of
     * 30 s. The step is published each time its words change, so a five-minute wait says so in 28 statuses, not 300.
     */
    String lasting(Instant from) {
        long seconds = Duration.between(from, now).toSeconds();
        long step = seconds < 10 ? 1 : seconds < 60 ? 5 : 30;
        return ", " + seconds / step * step + " s";
    }

    /** From the request to now, for "writes accepted N ms after the request". */
    long millisSinceRequest() {
        return Duration.between(op.createdAt(), now).toMillis();
    }

    PlannedAction announce(String reason, String message, boolean warning) {
        return new PlannedAction.Announce(namespace, name, reason, message, warning);
    }

    static List<String> list(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }
}
