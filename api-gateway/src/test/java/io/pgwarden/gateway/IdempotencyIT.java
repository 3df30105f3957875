package io.pgwarden.gateway;

import io.pgwarden.contracts.Topics;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Idempotency-Key on the command endpoints. "Exactly one command on Kafka" is counted from the topic's
 * offsets taken before the first request, up to a marker command for the same node sent after the last
 * one: same key (node), same partition, and the outbox publishes in commit order, so a second command
 * would be read before the marker.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class IdempotencyIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    IdempotencyKeys keys;

    @Inject
    DataSource dataSource;

    @Test
    void the_same_key_and_command_is_the_same_command_and_sent_once() {
        String node = node();
        String key = "deploy-" + UUID.randomUUID();
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS)) {
            ExtractableResponse<Response> first = cordon(node, key, "change-1", "{\"reason\":\"kernel upgrade\"}")
                    .statusCode(202).extract();
            String id = first.path("id");
            // Other whitespace and another correlation id: still the same request.
            cordon(node, key, "change-2", "{ \"reason\" :\n  \"kernel upgrade\" }").statusCode(202)
                    .header("Location", first.header("Location"))
                    .body("id", equalTo(id), "correlationId", equalTo("change-1"));

            String marker = cordon(node, null, null, null).statusCode(202).extract().path("id");

            assertThat(commandIdsFor(tail, node, marker)).containsExactly(id, marker);
        }
    }

    @Test
    void the_same_key_with_another_body_or_path_is_a_422_and_sends_nothing() {
        String node = node();
        String key = UUID.randomUUID().toString();
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS)) {
            String id = cordon(node, key, null, "{\"reason\":\"kernel upgrade\"}").statusCode(202).extract().path("id");

            cordon(node, key, null, "{\"reason\":\"another reason\"}").statusCode(422)
                    .contentType("application/problem+json")
                    .body("status", equalTo(422), "detail", containsString("Idempotency-Key '" + key + "'"));
            given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"reason\":\"kernel upgrade\"}")
                    .post("/api/v1/nodes/" + node + "/uncordon")
                    .then().statusCode(422).contentType("application/problem+json")
                    .body("detail", containsString(key));
            given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"method\":\"online\"}")
                    .post("/api/v1/clusters/default/" + node + "/backups")
                    .then().statusCode(422).contentType("application/problem+json");

            String marker = cordon(node, null, null, null).statusCode(202).extract().path("id");
            assertThat(commandIdsFor(tail, node, marker)).containsExactly(id, marker);
        }
    }

    @Test
    void the_body_is_compared_as_canonical_json_not_as_bytes() {
        String key = UUID.randomUUID().toString();
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"method\":\"online\",\"reason\":\"nightly\"}")
                .post("/api/v1/clusters/default/pg-canonical/backups").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\n  \"reason\": \"nightly\",\n  \"method\": \"online\"\n}")
                .post("/api/v1/clusters/default/pg-canonical/backups").then().statusCode(202).body("id", equalTo(id));
        // No body and an explicit null reason make the same CordonNode.
        String node = node();
        String cordon = cordon(node, key + "-n", null, null).statusCode(202).extract().path("id");
        cordon(node, key + "-n", null, "{\"reason\":null}").statusCode(202).body("id", equalTo(cordon));
    }

    @Test
    void bad_keys_are_a_400_that_names_the_header() {
        for (String bad : List.of("k".repeat(256), "tab\tinside")) {
            given().contentType(ContentType.JSON).header("Idempotency-Key", bad)
                    .post("/api/v1/nodes/" + node() + "/cordon")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", hasItem("idempotencyKey"),
                            "detail", containsString("1 to 255 printable ASCII characters"));
        }
        // Written as bytes: HTTP clients drop an empty header, trim control characters or rewrite what is not ASCII.
        for (byte[] line : List.of("Idempotency-Key:".getBytes(StandardCharsets.US_ASCII),
                "Idempotency-Key: ".getBytes(StandardCharsets.US_ASCII),
                "Idempotency-Key: cl\u00e9".getBytes(StandardCharsets.UTF_8),
                "Idempotency-Key: cl\u00e9".getBytes(StandardCharsets.ISO_8859_1),
                "Idempotency-Key: one\r\nIdempotency-Key: two".getBytes(StandardCharsets.US_ASCII))) {
            RawHttp.Answer answer = RawHttp.post("/api/v1/nodes/" + node() + "/cordon", line);
            assertThat(answer.status()).as(new String(line, StandardCharsets.ISO_8859_1)).isEqualTo(400);
            assertThat(answer.text()).as(new String(line, StandardCharsets.ISO_8859_1)).contains("application/problem+json", "\"field\":\"idempotencyKey\"")
                    .containsAnyOf("1 to 255 printable ASCII characters", "must be sent once");
        }
        // A control character other than a tab breaks HTTP itself: the HTTP server refuses the request
        // before the gateway sees it (a 400 without a body), so it cannot make a command either.
        assertThat(RawHttp.post("/api/v1/nodes/" + node() + "/cordon",
                "Idempotency-Key: bell\u0007inside".getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(400);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k".repeat(255))
                .post("/api/v1/nodes/" + node() + "/cordon").then().statusCode(202);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "~ all printable: {\"a\" = 1}; ok? ~")
                .post("/api/v1/nodes/" + node() + "/cordon").then().statusCode(202);
    }

    @Test
    void concurrent_requests_with_one_key_make_one_command() throws Exception {
        String node = node();
        String key = UUID.randomUUID().toString();
        int requests = 12;
        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS)) {
            ExecutorService pool = Executors.newFixedThreadPool(requests);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < requests; i++) {
                    Callable<String> request = () -> {
                        start.await();
                        return cordon(node, key, null, "{\"reason\":\"at once\"}").statusCode(202)
                                .extract().path("id");
                    };
                    answers.add(pool.submit(request));
                }
                start.countDown();
                List<String> ids = new ArrayList<>();
                for (Future<String> answer : answers) {
                    ids.add(answer.get());
                }
                assertThat(ids).hasSize(requests).containsOnly(ids.get(0));

                String marker = cordon(node, null, null, null).statusCode(202).extract().path("id");
                assertThat(commandIdsFor(tail, node, marker)).containsExactly(ids.get(0), marker);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void a_key_past_its_retention_names_a_new_command_and_the_cleanup_removes_old_keys() throws Exception {
        String node = node();
        String key = UUID.randomUUID().toString();
        String first = cordon(node, key, null, null).statusCode(202).extract().path("id");
        cordon(node, key, null, null).statusCode(202).body("id", equalTo(first));

        // 25 hours old: past the 24 h retention, not yet cleaned up. Another body is then a new request.
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE idempotency_key SET created_at = created_at - interval '25 hours' WHERE idem_key = ?")) {
            s.setString(1, key);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        String second = cordon(node, key, null, "{\"reason\":\"a day later\"}").statusCode(202).extract().path("id");
        assertThat(second).isNotEqualTo(first);
        cordon(node, key, null, "{\"reason\":\"a day later\"}").statusCode(202).body("id", equalTo(second));

        // The cleanup removes what is older than its cutoff; the key is then free.
        assertThat(keys.removeOlderThan(Instant.now().plusSeconds(60))).isGreaterThanOrEqualTo(1);
        String third = cordon(node, key, null, null).statusCode(202).extract().path("id");
        assertThat(third).isNotIn(first, second);
    }

    private static io.restassured.response.ValidatableResponse cordon(String node, String key, String correlationId,
                                                                      String body) {
        var request = given().contentType(ContentType.JSON);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if (correlationId != null) {
            request.header("X-Correlation-Id", correlationId);
        }
        if (body != null) {
            request.body(body);
        }
        return request.post("/api/v1/nodes/" + node + "/cordon").then();
    }

    /** The ids of the commands for node on the topic since the tail was made, up to the marker. */
    private static List<String> commandIdsFor(TopicTail tail, String node, String marker) {
        return tail.until(TopicTail.withId(marker), WAIT).stream()
                .filter(r -> node.equals(r.key()))
                .map(TopicTail::id)
                .toList();
    }

    private static String node() {
        return "idem-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
