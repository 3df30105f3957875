package io.pgwarden.sandbox.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A watch request ({@code GET <collection or object>?watch=true}) and the ListOptions the real API server reads
 * from it: resourceVersion, sendInitialEvents, allowWatchBookmarks, timeoutSeconds, label and field selectors,
 * and whether the client asked for server-side printing (kubectl get -w).
 *
 * @param resource      the resource's key in the watch cache: API group and plural
 * @param mockPath      the path with the selector terms the CRUD mock's attribute matching understands
 * @param groupVersion  v1, apps/v1, ...
 */
record WatchRequest(String path, String groupVersion, String plural, String resource, String mockPath,
                    FieldSelector fields, SetBasedLabelSelector labels, String resourceVersion,
                    boolean sendInitialEvents, boolean allowWatchBookmarks, Long timeoutSeconds, boolean table) {

    private static final Pattern RESOURCE_PATH =
            Pattern.compile("/(?:api|apis/([^/]+))/([^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?");
    /** strconv.ParseBool's true values, how the API server reads ?watch=. */
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");

    /** Whether a GET is a watch (?watch=true, ?watch=1, ...). */
    static boolean isWatch(String method, Map<String, String> query) {
        return "GET".equals(method) && TRUE.contains(query.getOrDefault("watch", ""));
    }

    static WatchRequest parse(String path, Map<String, String> query, String accept) {
        Matcher m = RESOURCE_PATH.matcher(path);
        if (!m.matches()) {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }
        String group = m.group(1);
        String groupVersion = group == null ? m.group(2) : group + "/" + m.group(2);
        String plural = m.group(4);
        String fieldSelector = query.get("fieldSelector");
        String labelSelector = query.get("labelSelector");
        FieldSelector fields = FieldSelector.parse(fieldSelector);
        SetBasedLabelSelector labels = SetBasedLabelSelector.parse(labelSelector);
        StringBuilder mockPath = new StringBuilder(path);
        char sep = '?';
        if (fieldSelector != null && !FieldSelector.mockTerms(fieldSelector).isEmpty()) {
            mockPath.append(sep).append("fieldSelector=")
                    .append(URLEncoder.encode(FieldSelector.mockTerms(fieldSelector), StandardCharsets.UTF_8));
            sep = '&';
        }
        if (labelSelector != null && !labels.mockTerms().isEmpty()) {
            mockPath.append(sep).append("labelSelector=")
                    .append(URLEncoder.encode(labels.mockTerms(), StandardCharsets.UTF_8));
        }
        String rv = query.get("resourceVersion");
        Long timeout = null;
        try {
            if (query.containsKey("timeoutSeconds") && !query.get("timeoutSeconds").isEmpty()) {
                timeout = Long.parseLong(query.get("timeoutSeconds"));
            }
            if (rv != null && !rv.isEmpty()) {
                Long.parseLong(rv);
            }
        } catch (NumberFormatException e) {
            throw new ApiError(400, "BadRequest", "invalid watch options: " + e.getMessage());
        }
        return new WatchRequest(path, groupVersion, plural, (group == null ? "" : group) + "/" + plural,
                mockPath.toString(), fields, labels, rv == null || rv.isEmpty() ? null : rv,
                TRUE.contains(query.getOrDefault("sendInitialEvents", "")),
                TRUE.contains(query.getOrDefault("allowWatchBookmarks", "")), timeout, Tables.wanted(accept));
    }

    /**
     * Whether the watch starts with the current state as synthetic ADDED events: with no resourceVersion or "0"
     * (the API concepts' "Get State and Start at Most Recent / at Any"), or with sendInitialEvents=true.
     */
    boolean startsWithState() {
        return sendInitialEvents || resourceVersion == null || resourceVersion.equals("0");
    }

    /** The kind of the watched objects, for bookmarks. */
    Optional<Discovery.ListKind> kind() {
        return Discovery.kind(groupVersion, plural);
    }
}
