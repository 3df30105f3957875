package io.pgwarden.gateway;

import io.pgwarden.contracts.Names;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.builders.BufferItemMultiEmitter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Server-Sent Events of activity, node health and command status, as they reach Kafka (see {@link EventTail} and
 * the contract in the module's README).
 */
@Path("/api/v1/events")
@Tag(name = "events")
public class EventsResource {
    private static final Logger LOG = Logger.getLogger(EventsResource.class);
    static final String CLUSTER_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    static final String CLUSTER_MESSAGE = "must be namespace/name, each a DNS label";
    static final String LAST_EVENT_ID = "Last-Event-ID";
    /**
     * Quarkus writes {@code field:value}; with this before each value the lines read {@code id: a0_12}, {@code
     * event: activity}, {@code data: {...}}, {@code : heartbeat} as the contract shows them. An SSE parser drops one
     * space after the colon (WHATWG HTML, "Interpreting an event stream"), so the values are the same either way,
     * and a hand-written parser that expects the space finds it.
     */
    private static final String SPACE = " ";

    private final EventTail tail;
    private final GatewayConfig config;

    public EventsResource(EventTail tail, GatewayConfig config) {
        this.tail = tail;
        this.config = config;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(summary = "Live events: activity, node health and command status",
            description = "Each event: id (a cursor), event (activity, health or command-status) and data"
                    + " {type, time, subject, data}. Starts live; with Last-Event-ID (or since) it first replays"
                    + " what came after that id, without gaps while the topics hold it. A ': heartbeat' comment"
                    + " every 15 s keeps proxies from closing the stream.")
    @APIResponse(responseCode = "200", description = "The stream (text/event-stream)")
    @APIResponse(responseCode = "400", description = "A filter or the cursor is invalid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The stream has not reached the broker yet since the start",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Multi<OutboundSseEvent> events(
            @Parameter(description = "Only events that name this database (namespace/name)")
            @QueryParam("cluster") @Pattern(regexp = CLUSTER_PATTERN, message = CLUSTER_MESSAGE) String cluster,
            @Parameter(description = "Only events that name this node; with cluster, events naming either")
            @QueryParam("node") @Pattern(regexp = Names.DNS_SUBDOMAIN, message = Names.DNS_SUBDOMAIN_MESSAGE)
            String node,
            @Parameter(description = "Resume after this event id (as Last-Event-ID, which wins when both are sent)")
            @QueryParam("since") String since,
            @HeaderParam(LAST_EVENT_ID) String lastEventId,
            @Context Sse sse) {
        EventCursor from = cursor(lastEventId != null ? lastEventId : since,
                lastEventId != null ? LAST_EVENT_ID : "since");
        EventFilter filter = new EventFilter(cluster, node);
        // The writer asks for the next event only while the connection can take it (its write queue is below Vert.x's
        // high-water mark): live events for a client that does not read wait here, and past client-buffer its stream
        // ends; a replay goes at the pace the client asks (ClientDemand).
        Multi<OutboundSseEvent> events = Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            ClientDemand demand = new ClientDemand(emitter::requested);
            emitter.onRequest(n -> demand.requested());
            EventSubscription subscription = tail.subscribe(filter, from,
                    delivery -> emitter.emit(sse.newEventBuilder().id(SPACE + delivery.id())
                            .name(SPACE + delivery.event().name()).data(SPACE + delivery.event().data()).build()),
                    emitter::fail, demand, Infrastructure.getDefaultWorkerPool());
            emitter.onTermination(() -> tail.unsubscribe(subscription));
        }, config.events().clientBuffer());
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(config.events().heartbeat())
                .onOverflow().drop()
                .map(tick -> sse.newEventBuilder().comment(SPACE + "heartbeat").build());
        tail.checkReady();
        return Multi.createBy().merging().streams(events, heartbeats)
                .onFailure().invoke(e -> LOG.infof("event stream: a client's stream ends: %s",
                        e instanceof BufferItemMultiEmitter.EmitterBufferOverflowException ? "it fell more than "
                                + config.events().clientBuffer() + " events behind (pgwarden.gateway.events"
                                + ".client-buffer); it resumes with Last-Event-ID" : e.toString()));
    }

    private static EventCursor cursor(String text, String where) {
        if (text == null) {
            return null;
        }
        try {
            return EventCursor.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(where + " " + e.getMessage());
        }
    }
}
