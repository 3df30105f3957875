package io.pgwarden.failover.fence;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * What a Redfish BMC's answers mean for a fence. A fence by power is confirmed only by {@code PowerState: Off}; every
 * other DMTF PowerState ({@code On}, {@code PoweringOff}, {@code PoweringOn}, {@code Paused}) means the machine may
 * still write. The error answers follow the Redfish error format, {@code {"error":{"message":..,
 * "@Message.ExtendedInfo":[{"Message":..}]}}}.
 */
final class RedfishPower {

    private RedfishPower() {
    }

    /**
     * @param powerState the system's PowerState, null when the BMC reports none
     * @param refusal    the BMC's answer to the last ForceOff pgwarden sent, if it refused it
     */
    static FenceStatus status(String powerState, Optional<String> refusal) {
        if ("Off".equals(powerState)) {
            return FenceStatus.of(FenceStatus.State.FENCED, "BMC reports PowerState Off");
        }
        if (refusal.isPresent()) {
            return FenceStatus.of(FenceStatus.State.FAILED, refusal.get());
        }
        return FenceStatus.of(FenceStatus.State.PENDING, powerState == null ? "BMC reports no PowerState"
                : "BMC reports PowerState " + powerState);
    }

    /** The BMC's own words for an error answer, or the answer itself when it is not in the Redfish format. */
    static String errorMessage(int code, JsonNode body, String raw) {
        JsonNode error = body == null ? null : body.path("error");
        String message = null;
        if (error != null && error.isObject()) {
            JsonNode extended = error.path("@Message.ExtendedInfo");
            message = extended.isArray() && !extended.isEmpty() && extended.get(0).hasNonNull("Message")
                    ? extended.get(0).get("Message").asText() : error.path("message").asText(null);
        } else if (body != null && body.hasNonNull("reason")) {
            message = body.get("reason").asText(); // the sandbox's fault API's error format
        }
        if (message == null || message.isBlank()) {
            message = raw == null || raw.isBlank() ? "no body"
                    : raw.length() > 200 ? raw.substring(0, 200) + "..." : raw.strip();
        }
        return "HTTP " + code + ": " + message;
    }
}
