package io.pgwarden.gateway;

/**
 * Which events a client of {@code /api/v1/events} wants: those that name its cluster ({@code namespace/name}) or its
 * node; all when it names neither. With both, an event naming either matches, so one stream follows a database and
 * the node it runs on (a payload names one or the other, never both).
 */
public record EventFilter(String cluster, String node) {

    public boolean matches(StreamEvent event) {
        if (cluster == null && node == null) {
            return true;
        }
        return (cluster != null && event.names().contains(cluster)) || (node != null && event.names().contains(node));
    }
}
