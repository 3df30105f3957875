package io.pgwarden.sandbox.fault;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What one Redfish ComputerSystem.Reset does to a machine after the BMC has answered it: the power changes
 * {@code powerChangeTime} later, and a machine that powers on runs a kubelet again only after {@code bootTime}
 * (firmware, OS, kubelet). PowerState reports the in-between honestly: "On" until a ForceOff has taken effect,
 * "PoweringOn" until an On has (both are DMTF Redfish PowerState values), and "On" while a powered machine boots.
 */
record PowerSequence(String resetType, Instant requestedAt, Duration powerChangeTime, Duration bootTime) {
    static final Set<String> RESET_TYPES = Set.of("On", "ForceOff", "ForceRestart");

    PowerSequence {
        if (!RESET_TYPES.contains(resetType)) {
            throw new IllegalArgumentException("unsupported ResetType " + resetType);
        }
    }

    Instant powerChangesAt() {
        return requestedAt.plus(powerChangeTime);
    }

    boolean cutsPower() {
        return !resetType.equals("On");
    }

    /** When the kubelet runs again; empty for a ForceOff, which leaves the machine off. */
    Optional<Instant> kubeletBackAt() {
        return resetType.equals("ForceOff") ? Optional.empty() : Optional.of(powerChangesAt().plus(bootTime));
    }

    /** Once over, the machine's own state is the whole truth again. */
    boolean isOver(Instant now) {
        return !now.isBefore(kubeletBackAt().orElse(powerChangesAt()));
    }

    /** The PowerState the BMC reports while the sequence runs. */
    String powerState(Instant now) {
        boolean changed = !now.isBefore(powerChangesAt());
        return switch (resetType) {
            case "ForceOff" -> changed ? "Off" : "On";
            case "On" -> changed ? "On" : "PoweringOn";
            default -> "On"; // ForceRestart: a reset with the power kept on, then the boot
        };
    }
}
