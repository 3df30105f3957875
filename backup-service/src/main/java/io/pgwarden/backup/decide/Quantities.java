package io.pgwarden.backup.decide;

import java.math.BigDecimal;
import java.util.Map;

/** A Kubernetes quantity ({@code 1Gi}, {@code 500M}, {@code 1073741824}) in bytes, to compare a claim's request. */
final class Quantities {
    private static final Map<String, Long> SUFFIXES = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30,
            "Ti", 1L << 40, "k", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);

    private Quantities() {
    }

    static long bytes(String quantity) {
        String q = quantity.trim();
        for (Map.Entry<String, Long> s : SUFFIXES.entrySet()) {
            if (q.endsWith(s.getKey()) && (s.getKey().length() == 2 || !q.endsWith("i" + s.getKey()))) {
                return new BigDecimal(q.substring(0, q.length() - s.getKey().length()))
                        .multiply(BigDecimal.valueOf(s.getValue())).longValue();
            }
        }
        return new BigDecimal(q).longValue();
    }
}
