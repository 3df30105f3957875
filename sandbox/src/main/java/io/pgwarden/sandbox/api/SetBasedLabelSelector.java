package io.pgwarden.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The set-based requirements of a label selector ({@code tier in (db,cache)}, {@code env notin (test)}), which the
 * CRUD mock cannot parse and silently drops; the equality and existence terms stay with the mock.
 */
record SetBasedLabelSelector(List<Requirement> requirements, String mockTerms) {
    private static final Pattern SET = Pattern.compile("\\s*([^\\s!=]+)\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*");

    record Requirement(String key, boolean in, Set<String> values) {
        boolean matches(JsonNode labels) {
            JsonNode value = labels.get(key);
            boolean member = value != null && values.contains(value.asText());
            return in ? member : !member;
        }
    }

    static SetBasedLabelSelector parse(String selector) {
        List<Requirement> requirements = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        if (selector != null) {
            for (String term : splitOutsideParentheses(selector)) {
                Matcher m = SET.matcher(term);
                if (m.matches()) {
                    Set<String> values = Set.copyOf(Arrays.stream(m.group(3).split(",")).map(String::trim).toList());
                    requirements.add(new Requirement(m.group(1), m.group(2).equals("in"), values));
                } else if (!term.isBlank()) {
                    kept.add(term.trim());
                }
            }
        }
        return new SetBasedLabelSelector(requirements, String.join(",", kept));
    }

    boolean isEmpty() {
        return requirements.isEmpty();
    }

    boolean matches(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    private static List<String> splitOutsideParentheses(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : selector.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                terms.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        terms.add(current.toString());
        return terms;
    }
}
