package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.MockResponse;

/** A request the API server refuses, answered as a metav1.Status the way the real one answers it. */
final class ApiError extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int code;
    private final String reason;

    ApiError(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "NotFound", what + " not found");
    }

    MockResponse toResponse() {
        return SandboxDispatcher.json(code, status(code, reason, getMessage()));
    }

    static String status(int code, String reason, String message) {
        var status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        return status.put("status", code < 400 ? "Success" : "Failure").put("message", message).put("reason", reason)
                .put("code", code).toString();
    }
}
