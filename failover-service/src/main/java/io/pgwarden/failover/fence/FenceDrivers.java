package io.pgwarden.failover.fence;

import io.pgwarden.contracts.Names;
import io.quarkus.arc.All;
import io.smallrye.config.ConfigMapping;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which fence driver fences a node: the one its label {@code pgwarden.io/fence-driver} names, else the one
 * configured for every node. There is no default and no "none": without a driver pgwarden never releases a pod,
 * because only a confirmed fence makes it safe to start the database elsewhere.
 */
@Singleton
public class FenceDrivers {
    private static final String SETTING = "pgwarden.failover.fence.driver";
    static final String NOT_CONFIGURED = "no fence driver configured (" + SETTING + " or the node label "
            + Names.FENCE_DRIVER_LABEL + "): pgwarden never releases a pod without a confirmed fence";

    private final Map<String, FenceDriver> drivers = new TreeMap<>();
    private final Optional<String> configured;

    /** The driver for every node that has no label of its own. */
    @ConfigMapping(prefix = "pgwarden.failover.fence")
    public interface Settings {
        /** {@code redfish}, {@code network-fence} or {@code ceph-csi-taint}; unset, no node is ever fenced. */
        Optional<String> driver();
    }

    @Inject
    public FenceDrivers(@All List<FenceDriver> drivers, Settings settings) {
        this(drivers, settings.driver());
    }

    public FenceDrivers(Collection<FenceDriver> drivers, Optional<String> configured) {
        drivers.forEach(d -> this.drivers.put(d.name(), d));
        this.configured = configured.map(String::trim).filter(s -> !s.isEmpty());
    }

    /**
     * The driver chosen for a node, or why there is none.
     *
     * @param driver the driver, if one is chosen
     * @param reason why it was chosen ("network-fence, from the node label ..."), or why none was
     */
    public record Choice(Optional<FenceDriver> driver, String reason) {
    }

    public Choice forNode(FenceTarget target) {
        String label = target.labels().get(Names.FENCE_DRIVER_LABEL);
        if (label != null) {
            return named(label.trim(), "the node label " + Names.FENCE_DRIVER_LABEL + " of " + target.node());
        }
        return configured.map(name -> named(name, SETTING))
                .orElseGet(() -> new Choice(Optional.empty(), NOT_CONFIGURED));
    }

    /** The driver of that name, as an incident that chose it asks for it again. */
    public Optional<FenceDriver> byName(String name) {
        return Optional.ofNullable(drivers.get(name));
    }

    /** What keeps nodes without a label of their own from being fenced, for the health endpoint. */
    public Optional<String> problem() {
        if (configured.isEmpty()) {
            return Optional.of(NOT_CONFIGURED);
        }
        return drivers.containsKey(configured.get()) ? Optional.empty()
                : Optional.of(unknown(configured.get(), SETTING));
    }

    /** The driver configured for every node, when it is a known one. */
    public Optional<String> configured() {
        return configured.filter(drivers::containsKey);
    }

    private Choice named(String name, String source) {
        FenceDriver driver = drivers.get(name);
        return driver == null ? new Choice(Optional.empty(), unknown(name, source))
                : new Choice(Optional.of(driver), name + ", from " + source);
    }

    private String unknown(String name, String source) {
        String none = name.equalsIgnoreCase("none")
                ? "; there is no \"none\": pgwarden never releases a pod without a confirmed fence" : "";
        return "unknown fence driver \"" + name + "\" in " + source + " (known: " + String.join(", ", drivers.keySet())
                + ")" + none;
    }
}
