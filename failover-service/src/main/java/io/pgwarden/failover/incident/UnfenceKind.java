package io.pgwarden.failover.incident;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgwarden.contracts.command.UnfenceNode;
import io.pgwarden.contracts.event.NodeHealthChanged;
import io.pgwarden.failover.decide.IncidentDecider;
import io.pgwarden.failover.decide.UnfenceDecider;
import io.pgwarden.failover.fence.FenceDriver;
import io.pgwarden.failover.fence.FenceDrivers;
import io.pgwarden.failover.fence.FenceTargets;
import io.pgwarden.failover.fence.FenceStatus;
import io.pgwarden.operations.core.Decision;
import io.pgwarden.operations.core.Operation;
import io.pgwarden.operations.core.OperationKind;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** UnfenceNode as an operation on the node's queue: observe the node and its last incident, decide, lift. */
@Singleton
public class UnfenceKind implements OperationKind<UnfenceNode, UnfenceDecider.Seen, UnfenceDecider.Action> {
    private final KubernetesClient client;
    private final Incidents incidents;
    private final FenceDrivers fences;
    private final NodeHealthFeed feed;
    private final OutOfServiceTaint taint;
    private final UnfenceConfig config;

    UnfenceKind(KubernetesClient client, Incidents incidents, FenceDrivers fences, NodeHealthFeed feed,
                OutOfServiceTaint taint, UnfenceConfig config) {
        this.client = client;
        this.incidents = incidents;
        this.fences = fences;
        this.feed = feed;
        this.taint = taint;
        this.config = config;
    }

    @Override
    public Class<UnfenceNode> commandClass() {
        return UnfenceNode.class;
    }

    @Override
    public Duration timeout() {
        return config.timeout();
    }

    @Override
    public UnfenceDecider.Seen observe(UnfenceNode command, Operation operation) throws Exception {
        Node node = client.nodes().withName(command.node()).get();
        if (node == null) {
            return new UnfenceDecider.Seen(false, Optional.empty(), false, Optional.empty(),
                    FenceStatus.of(FenceStatus.State.NOT_FENCED, "no node"), true, Optional.empty(), List.of());
        }
        Optional<Instant> readySince = Optional.ofNullable(node.getStatus().getConditions()).orElse(List.of()).stream()
                .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())).findFirst()
                .map(NodeCondition::getLastTransitionTime).map(t -> ZonedDateTime.parse(t).toInstant());
        boolean outOfService = Optional.ofNullable(node.getSpec().getTaints()).orElse(List.of()).stream()
                .anyMatch(OutOfServiceTaint::isOutOfService);
        Map<String, String> last = incidents.latestOf(command.node()).map(Operation::data).orElse(Map.of());
        Optional<FenceDriver> driver = Optional.ofNullable(last.get(IncidentDecider.FENCE_DRIVER)).flatMap(fences::byName);
        FenceStatus fence = driver.isPresent() ? driver.get().status(FenceTargets.of(node))
                : FenceStatus.of(FenceStatus.State.NOT_FENCED, "no fence of pgwarden");
        List<String> released = new ArrayList<>();
        for (Map.Entry<String, String> e : last.entrySet()) {
            if (e.getKey().startsWith(IncidentDecider.POD)) {
                String namespace = e.getKey().substring(IncidentDecider.POD.length()).split("/", 2)[0];
                String[] pod = e.getValue().split("/", 2);
                Pod p = client.pods().inNamespace(namespace).withName(pod[0]).get();
                if (p != null && p.getMetadata().getUid().equals(pod[1])) {
                    released.add(namespace + "/" + pod[0]);
                }
            }
        }
        return new UnfenceDecider.Seen(true, readySince, outOfService, driver.map(FenceDriver::name), fence,
                driver.map(d -> d.isLifted(fence)).orElse(true), feed.latest(command.node()).map(NodeHealthChanged::powerState), released);
    }

    @Override
    public Decision<UnfenceDecider.Action> decide(Operation operation, UnfenceNode command, UnfenceDecider.Seen seen,
                                                  Instant now) {
        return UnfenceDecider.decide(operation, command.node(), command.powerOn(), seen, config.healthyFor(), now);
    }

    @Override
    public void apply(UnfenceDecider.Action action, UnfenceNode command, Operation operation) throws Exception {
        if (action instanceof UnfenceDecider.Lift lift) {
            Node node = client.nodes().withName(lift.node()).get();
            FenceDriver driver = fences.byName(lift.driver())
                    .orElseThrow(() -> new IllegalStateException("no fence driver " + lift.driver()));
            driver.unfence(FenceTargets.of(node), lift.powerOn());
        } else if (action instanceof UnfenceDecider.RemoveOutOfServiceTaint t) {
            taint.remove(t.node());
        }
    }
}
