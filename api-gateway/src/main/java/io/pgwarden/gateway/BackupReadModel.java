package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotFoundException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backup catalog as the gateway serves it, like {@link ClusterReadModel}: a copy of backup-service's newest
 * {@value #HELD_PER_DATABASE} backups of each database, fetched every {@code pgwarden.gateway.reads.refresh}. A page
 * the copy holds whole (with the one backup after it that tells whether there is a next page) is answered from it, so
 * the first pages, the ones people and the operator page look at, cost no round trip; a page further back in a long
 * history is asked of backup-service.
 * <p>
 * The backup schedules are copied with the backups, whole (one per database at most); a refresh takes both or
 * neither.
 * <p>
 * One backup by its id ({@link #backup}) is always asked of backup-service: a client that has just seen its backup
 * command succeed reads the backup's phase next, and a copy up to one refresh old would show it still running.
 */
@ApplicationScoped
public class BackupReadModel {
    static final int HELD_PER_DATABASE = 100;

    /** What backup-service answers (BackupReads; a fake in unit tests). */
    interface Source {
        List<JsonNode> newestOfEach(int perDatabase);

        List<JsonNode> backups(String namespace, String cluster, int limit, String before);

        List<JsonNode> schedules();

        JsonNode backup(String id);
    }

    /** A database, as the catalog names it. */
    record Database(String namespace, String cluster) {
        /** @param entry a backup or a schedule */
        static Database of(JsonNode entry) {
            return new Database(entry.path("namespace").asText(), entry.path("cluster").asText());
        }
    }

    /** One fetch: each database's newest backups, newest first, the schedules, and when they were read. */
    private record Held(Map<Database, List<JsonNode>> byDatabase, List<JsonNode> schedules, Instant at) {
        static Held of(List<JsonNode> newest, List<JsonNode> schedules, Instant at) {
            Map<Database, List<JsonNode>> byDatabase = new LinkedHashMap<>();
            newest.forEach(b -> byDatabase.computeIfAbsent(Database.of(b), d -> new ArrayList<>()).add(b));
            return new Held(byDatabase, List.copyOf(schedules), at);
        }

        Optional<JsonNode> find(String id) {
            return byDatabase.values().stream().flatMap(List::stream).filter(b -> id.equals(b.path("id").asText()))
                    .findFirst();
        }
    }

    private final Source source;
    private final Clock clock;
    private final RefreshedCopy<Held> copy;

    @Inject
    public BackupReadModel(BackupReads reads, GatewayConfig config, Clock clock) {
        this(reads, config.reads().staleAfter(), clock);
    }

    BackupReadModel(Source source, Duration staleAfter, Clock clock) {
        this.source = source;
        this.clock = clock;
        this.copy = new RefreshedCopy<>("backup catalog", "backup-service",
                () -> Held.of(source.newestOfEach(HELD_PER_DATABASE), source.schedules(), clock.instant()), staleAfter,
                clock);
    }

    @Scheduled(every = "${pgwarden.gateway.reads.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        copy.refresh();
    }

    /** Newest first: at most limit backups of the database, after the one named by cursor when it is given. */
    public BackupPage page(String namespace, String cluster, int limit, String cursor) {
        Held held = copy.current();
        List<JsonNode> newest = held.byDatabase().getOrDefault(new Database(namespace, cluster), List.of());
        int from = cursor == null ? 0 : indexOf(newest, cursor) + 1;
        boolean holdsAll = newest.size() < HELD_PER_DATABASE;
        if (from > 0 || cursor == null) {
            List<JsonNode> rest = newest.subList(from, newest.size());
            if (holdsAll || rest.size() > limit) {
                return page(rest, limit, held.at());
            }
        }
        return page(source.backups(namespace, cluster, limit + 1, cursor), limit, clock.instant());
    }

    /** Every backup schedule, by namespace and cluster. */
    public SchedulesAnswer schedules() {
        Held held = copy.current();
        return new SchedulesAnswer(held.schedules(), held.at());
    }

    /** @throws NotFoundException when the database has no schedule */
    public JsonNode schedule(String namespace, String cluster) {
        return copy.current().schedules().stream().filter(s -> Database.of(s).equals(new Database(namespace, cluster)))
                .findFirst().orElseThrow(() -> new NotFoundException("no backup schedule for " + namespace + "/"
                        + cluster));
    }

    /** Its database, which never changes: from the copy when it holds the backup, else asked of backup-service. */
    public Database database(String id) {
        return copy.ifFresh().flatMap(held -> held.find(id)).map(Database::of)
                .orElseGet(() -> Database.of(source.backup(id)));
    }

    public JsonNode backup(String id) {
        return source.backup(id);
    }

    /** @param backups up to limit + 1: the one past the page says there is a next page */
    private static BackupPage page(List<JsonNode> backups, int limit, Instant observedAt) {
        List<JsonNode> items = List.copyOf(backups.subList(0, Math.min(limit, backups.size())));
        String next = backups.size() > limit ? items.get(items.size() - 1).path("id").asText() : null;
        return new BackupPage(items, next, observedAt);
    }

    private static int indexOf(List<JsonNode> backups, String id) {
        for (int i = 0; i < backups.size(); i++) {
            if (id.equals(backups.get(i).path("id").asText())) {
                return i;
            }
        }
        return -1;
    }
}
