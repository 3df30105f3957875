package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgwarden.contracts.Json;
import io.pgwarden.testing.TestClock;
import jakarta.ws.rs.NotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupReadModelTest {
    private static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");
    private static final int HELD = BackupReadModel.HELD_PER_DATABASE;

    /** backup-service: every database's backups, newest first; records what is asked of it. */
    private final Map<String, List<JsonNode>> catalog = new LinkedHashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final List<JsonNode> schedules = new ArrayList<>();
    private boolean silent;
    private final TestClock clock = new TestClock(T0);
    private final BackupReadModel model = new BackupReadModel(new BackupReadModel.Source() {
        @Override
        public List<JsonNode> newestOfEach(int perDatabase) {
            asked.add("newestOfEach=" + perDatabase);
            if (silent) {
                throw new Upstream.UnavailableException(503, "backup-service at http://b did not answer (timeout)",
                        null);
            }
            return catalog.values().stream().flatMap(backups -> backups.stream().limit(perDatabase)).toList();
        }

        @Override
        public List<JsonNode> backups(String namespace, String cluster, int limit, String before) {
            asked.add(namespace + "/" + cluster + " limit=" + limit + " before=" + before);
            List<JsonNode> all = catalog.getOrDefault(namespace + "/" + cluster, List.of());
            int from = before == null ? 0 : ids(all).indexOf(before) + 1;
            return all.subList(from, Math.min(all.size(), from + limit));
        }

        @Override
        public List<JsonNode> schedules() {
            asked.add("schedules");
            return List.copyOf(schedules);
        }

        @Override
        public JsonNode backup(String id) {
            asked.add(id);
            return catalog.values().stream().flatMap(List::stream).filter(b -> b.path("id").asText().equals(id))
                    .findFirst().orElseThrow();
        }
    }, Duration.ofSeconds(30), clock);

    @Test
    void pages_of_a_database_the_copy_holds_whole_ask_nothing() {
        backups("db1", "pg-a", 7);
        backups("db1", "pg-b", 2);
        model.refresh();
        asked.clear();

        BackupPage first = model.page("db1", "pg-a", 3, null);
        assertThat(ids(first.items())).containsExactly("pg-a-6", "pg-a-5", "pg-a-4");
        assertThat(first.nextCursor()).isEqualTo("pg-a-4");
        assertThat(first.observedAt()).isEqualTo(T0);
        BackupPage last = model.page("db1", "pg-a", 3, "pg-a-1");
        assertThat(ids(last.items())).containsExactly("pg-a-0");
        assertThat(last.nextCursor()).isNull();
        BackupPage exactlyAll = model.page("db1", "pg-b", 2, null);
        assertThat(ids(exactlyAll.items())).containsExactly("pg-b-1", "pg-b-0");
        assertThat(exactlyAll.nextCursor()).as("no next page when the page ends the list").isNull();
        assertThat(model.page("db1", "pg-none", 50, null).items()).isEmpty();
        assertThat(model.database("pg-b-0")).isEqualTo(new BackupReadModel.Database("db1", "pg-b"));
        assertThat(asked).isEmpty();
    }

    @Test
    void a_page_past_the_copy_of_a_long_history_and_a_cursor_the_copy_lacks_are_asked_of_backup_service() {
        backups("db1", "pg-a", HELD + 30);
        model.refresh();
        asked.clear();

        assertThat(ids(model.page("db1", "pg-a", 50, "pg-a-" + (HELD + 30 - 49)).items())).as("within the copy")
                .startsWith("pg-a-" + (HELD + 30 - 50)).hasSize(50);
        assertThat(asked).isEmpty();

        String oldestHeld = "pg-a-" + 30;
        BackupPage beyond = model.page("db1", "pg-a", 50, oldestHeld);
        assertThat(ids(beyond.items())).hasSize(30).startsWith("pg-a-29").endsWith("pg-a-0");
        assertThat(beyond.nextCursor()).isNull();
        assertThat(asked).containsExactly("db1/pg-a limit=51 before=" + oldestHeld);

        asked.clear();
        assertThat(model.page("db1", "pg-a", 5, "pg-a-10").nextCursor()).isEqualTo("pg-a-5");
        assertThat(asked).containsExactly("db1/pg-a limit=6 before=pg-a-10");
        asked.clear();
        assertThat(model.database("pg-a-3")).isEqualTo(new BackupReadModel.Database("db1", "pg-a"));
        assertThat(asked).containsExactly("pg-a-3");
    }

    @Test
    void schedules_come_from_the_copy_one_database_s_or_a_404() {
        schedules.add(Json.MAPPER.valueToTree(Map.of("namespace", "db1", "cluster", "pg-a", "cron", "0 3 * * *")));
        model.refresh();
        asked.clear();

        SchedulesAnswer all = model.schedules();
        assertThat(all.items()).extracting(s -> s.path("cron").asText()).containsExactly("0 3 * * *");
        assertThat(all.observedAt()).isEqualTo(T0);
        assertThat(model.schedule("db1", "pg-a").path("cron").asText()).isEqualTo("0 3 * * *");
        assertThatThrownBy(() -> model.schedule("db1", "pg-b")).isInstanceOf(NotFoundException.class)
                .hasMessage("no backup schedule for db1/pg-b");
        assertThat(asked).isEmpty();
    }

    @Test
    void one_backup_is_always_asked_of_backup_service_so_it_is_never_a_refresh_behind() {
        backups("db1", "pg-a", 1);
        model.refresh();
        asked.clear();
        assertThat(model.backup("pg-a-0").path("cluster").asText()).isEqualTo("pg-a");
        assertThat(asked).containsExactly("pg-a-0");
    }

    @Test
    void while_backup_service_is_silent_the_copy_is_served_until_it_is_stale_then_the_reason() {
        backups("db1", "pg-a", 1);
        model.refresh();
        silent = true;
        clock.advance(Duration.ofSeconds(30));
        model.refresh();
        assertThat(ids(model.page("db1", "pg-a", 50, null).items())).containsExactly("pg-a-0");
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> model.page("db1", "pg-a", 50, null))
                .isInstanceOfSatisfying(Upstream.UnavailableException.class, e -> assertThat(e.status()).isEqualTo(503))
                .hasMessage("backup-service at http://b did not answer (timeout); the gateway has no backup catalog"
                        + " since " + T0);
    }

    private void backups(String namespace, String cluster, int count) {
        List<JsonNode> newestFirst = new ArrayList<>();
        IntStream.iterate(count - 1, i -> i >= 0, i -> i - 1).forEach(i -> newestFirst.add(Json.MAPPER.valueToTree(
                Map.of("id", cluster + "-" + i, "namespace", namespace, "cluster", cluster, "phase", "completed"))));
        catalog.put(namespace + "/" + cluster, newestFirst);
    }

    private static List<String> ids(List<JsonNode> backups) {
        return backups.stream().map(b -> b.path("id").asText()).toList();
    }
}
