package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The field selector requirements the CRUD mock does not evaluate ({@code spec.nodeName=node001},
 * {@code status.phase!=Running}): evaluated against the object's JSON, as the real API server does for the fields
 * each kind declares selectable (pods: spec.nodeName, status.phase, ...).
 */
record FieldSelector(List<Requirement> requirements) {

    record Requirement(String field, String value, boolean equal) {
        boolean matches(JsonNode object) {
            JsonNode node = object;
            for (String part : field.split("\\.")) {
                node = node.path(part);
            }
            String actual = node.isMissingNode() || node.isNull() ? "" : node.asText();
            return actual.equals(value) == equal;
        }
    }

    /** Requirements on fields other than metadata.name and metadata.namespace, which the mock evaluates itself. */
    static FieldSelector parse(String selector) {
        List<Requirement> requirements = new ArrayList<>();
        if (selector != null) {
            for (String term : selector.split(",")) {
                String t = term.trim();
                if (t.isEmpty() || t.startsWith("metadata.name") || t.startsWith("metadata.namespace")) {
                    continue;
                }
                int ne = t.indexOf("!=");
                if (ne > 0) {
                    requirements.add(new Requirement(t.substring(0, ne), t.substring(ne + 2), false));
                } else {
                    String[] kv = t.split("==?", 2);
                    requirements.add(new Requirement(kv[0], kv.length > 1 ? kv[1] : "", true));
                }
            }
        }
        return new FieldSelector(requirements);
    }

    boolean isEmpty() {
        return requirements.isEmpty();
    }

    boolean matches(JsonNode object) {
        return requirements.stream().allMatch(r -> r.matches(object));
    }

    /** The selector terms the mock understands, to leave in the query it sees. */
    static String mockTerms(String selector) {
        List<String> kept = new ArrayList<>();
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.startsWith("metadata.name") || t.startsWith("metadata.namespace")) {
                kept.add(t);
            }
        }
        return String.join(",", kept);
    }
}
