package io.pgwarden.failover.fence;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The csi-addons NetworkFence (csiaddons.openshift.io/v1alpha1) pgwarden asks for, and what its status means. The
 * csi-addons controller ({@code internal/controller/csiaddons/networkfence_controller.go}) reports only
 * {@code status.result} and {@code status.message}, no observed generation: a status may still be the previous
 * spec's. So a fence is only ever created Fenced (a Succeeded status on it is that fencing's), and an unfence is
 * recognised by the controller's own message for it ({@code UnFenceOperationSuccessfulMessage}).
 */
final class NetworkFences {
    static final String FENCED = "Fenced";
    static final String UNFENCED = "Unfenced";
    static final String UNFENCE_SUCCEEDED = "unfencing operation successful";

    private NetworkFences() {
    }

    /** pgwarden's fence of a node; node names are DNS subdomains, so this is a valid object name too. */
    static String name(String node) {
        return "pgwarden-" + node;
    }

    static Map<String, Object> spec(String driver, List<String> cidrs, String secretName, String secretNamespace,
                                    Map<String, String> parameters) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("driver", driver);
        spec.put("fenceState", FENCED);
        spec.put("cidrs", cidrs);
        spec.put("secret", Map.of("name", secretName, "namespace", secretNamespace));
        spec.put("parameters", parameters);
        return spec;
    }

    /** Whether an existing fence asks for exactly what pgwarden would ask for now (CIDRs in any order). */
    static boolean asksFor(Map<?, ?> spec, Map<String, Object> wanted) {
        return FENCED.equals(state(spec)) && covers(spec, cidrs(wanted))
                && wanted.get("driver").equals(spec.get("driver")) && wanted.get("secret").equals(spec.get("secret"))
                && wanted.get("parameters").equals(spec.get("parameters") == null ? Map.of() : spec.get("parameters"));
    }

    /** Whether a fence is on exactly these CIDRs (in any order). */
    static boolean covers(Map<?, ?> spec, List<String> cidrs) {
        return new HashSet<>(cidrs(spec)).equals(new HashSet<>(cidrs));
    }

    /**
     * What a fence's object says.
     *
     * @param spec   its spec, or empty when there is no such object
     * @param status its status (may be empty)
     * @param wanted the CIDRs the node's fence must cover
     */
    static FenceStatus read(String name, Optional<Map<?, ?>> spec, Map<?, ?> status, List<String> wanted) {
        if (spec.isEmpty()) {
            return FenceStatus.of(FenceStatus.State.NOT_FENCED, "no NetworkFence " + name);
        }
        String result = String.valueOf(status.get("result"));
        String message = status.get("message") == null ? "" : String.valueOf(status.get("message"));
        String said = "NetworkFence " + name + " " + state(spec.get()) + " " + cidrs(spec.get()) + ": " + result
                + (message.isEmpty() ? "" : " (" + message + ")");
        if ("Failed".equals(result)) {
            return FenceStatus.of(FenceStatus.State.FAILED, said);
        }
        boolean succeeded = "Succeeded".equals(result);
        if (UNFENCED.equals(state(spec.get()))) {
            return FenceStatus.of(succeeded && UNFENCE_SUCCEEDED.equals(message)
                    ? FenceStatus.State.NOT_FENCED : FenceStatus.State.PENDING, said);
        }
        if (succeeded && FENCED.equals(state(spec.get())) && covers(spec.get(), wanted)
                && !UNFENCE_SUCCEEDED.equals(message)) {
            return FenceStatus.of(FenceStatus.State.FENCED, said);
        }
        return FenceStatus.of(FenceStatus.State.PENDING, status.get("result") == null
                ? "NetworkFence " + name + " " + state(spec.get()) + " " + cidrs(spec.get()) + ": no result yet"
                : said);
    }

    static String state(Map<?, ?> spec) {
        return spec.get("fenceState") == null ? FENCED : String.valueOf(spec.get("fenceState")); // the CRD's default
    }

    static List<String> cidrs(Map<?, ?> spec) {
        return spec.get("cidrs") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }
}
