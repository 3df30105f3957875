package io.pgwarden.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The incidents and the managed databases, read from failover-service, which owns them (see {@link Upstream}). */
@ApplicationScoped
public class FailoverReads implements IncidentReadModel.Source {
    private final FailoverClient client;
    private final Upstream upstream;

    public FailoverReads(GatewayConfig config) {
        this.client = Upstream.client(FailoverClient.class, config.failoverUrl(), config.failoverTimeout());
        this.upstream = new Upstream("failover-service", config.failoverUrl());
    }

    /** Newest first; null parameters mean any. */
    @Override
    public List<IncidentView> incidents(String node, String state, int limit, String before) {
        return upstream.call(() -> client.incidents(node, state, limit, before), null,
                "cursor " + before + " " + CommandsResource.CURSOR_MESSAGE);
    }

    @Override
    public IncidentView incident(String id) {
        return upstream.call(() -> client.incident(id), "no incident " + id);
    }

    public ClustersAnswer clusters() {
        return upstream.call(client::clusters, null);
    }
}
