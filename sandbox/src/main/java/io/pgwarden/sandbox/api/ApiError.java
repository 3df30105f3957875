package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** A request the API server refuses, answered as a metav1.Status the way the real one answers it. */
final class ApiError extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int code;
    private final String reason;
    private final ObjectNode details;

    ApiError(int code, String reason, String message) {
        this(code, reason, message, null);
    }

    /** @param details the Status's details (causes, retryAfterSeconds), or null */
    ApiError(int code, String reason, String message, ObjectNode details) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "NotFound", what + " not found");
    }

    int code() {
        return code;
    }

    ObjectNode details() {
        return details;
    }

    /** The Status, with a Retry-After header when it suggests a delay (apiserver responsewriters ErrorNegotiated). */
    MockResponse toResponse() {
        MockResponse response = SandboxDispatcher.json(code, status(code, reason, getMessage(), details));
        int retryAfter = details == null ? 0 : details.path("retryAfterSeconds").asInt(0);
        if (retryAfter > 0) {
            response.setHeader("Retry-After", String.valueOf(retryAfter));
        }
        return response;
    }

    static ObjectNode emptyDetails() {
        return JSON.createObjectNode();
    }

    static String status(int code, String reason, String message) {
        return status(code, reason, message, null);
    }

    /** A metav1.Status; empty reason and message are left out, as their omitempty tags do. */
    static String status(int code, String reason, String message, ObjectNode details) {
        var status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", code < 400 ? "Success" : "Failure");
        if (!message.isEmpty()) {
            status.put("message", message);
        }
        if (!reason.isEmpty()) {
            status.put("reason", reason);
        }
        if (details != null) {
            status.set("details", details);
        }
        return status.put("code", code).toString();
    }
}
