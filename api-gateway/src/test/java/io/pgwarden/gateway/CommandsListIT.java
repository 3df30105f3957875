package io.pgwarden.gateway;

import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** GET /api/v1/commands from the gateway's command store: pages by cursor, filters, and bad parameters. */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class CommandsListIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private TopicProbe probe;
    private String run;

    @BeforeEach
    void setUp() {
        probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers());
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void tearDown() {
        probe.close();
    }

    @Test
    void three_pages_list_every_command_once_newest_first_and_a_command_stored_meanwhile_shifts_nothing() {
        String node = "p-" + run;
        List<String> ids = new ArrayList<>(IntStream.range(0, 7).mapToObj(i -> cordon(node)).toList());

        ValidatableResponse first = page(node, "3", null).body("items", hasSize(3), "nextCursor", notNullValue(),
                "observedAt", notNullValue(), "items[0].observedAt", notNullValue());
        // Stored after the first page was read: newer than all, so the next pages go on where the first ended.
        String newer = cordon(node);
        ValidatableResponse second = page(node, "3", first.extract().path("nextCursor"))
                .body("items", hasSize(3), "nextCursor", notNullValue());
        ValidatableResponse third = page(node, "3", second.extract().path("nextCursor"))
                .body("items", hasSize(1), "nextCursor", nullValue());

        List<String> listed = new ArrayList<>();
        listed.addAll(first.extract().path("items.id"));
        listed.addAll(second.extract().path("items.id"));
        listed.addAll(third.extract().path("items.id"));
        Collections.reverse(ids);
        assertThat(listed).containsExactlyElementsOf(ids);
        page(node, null, null).body("items.id[0]", equalTo(newer), "items", hasSize(8));
    }

    @Test
    void filters_by_state_and_by_what_the_command_is_about() {
        String node = "s-" + run;
        String cluster = "db-" + run + "/pg";
        String done = cordon(node);
        String waiting = cordon(node);
        String stop = given().contentType(ContentType.JSON).post("/api/v1/clusters/" + cluster + "/stop").then().statusCode(202)
                .extract().path("id");
        Statuses.send(probe, done, CommandState.SUCCEEDED, 1, null, "cordoned");
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/v1/commands/" + done).then()
                .body("state", equalTo("SUCCEEDED"), "observedAt", notNullValue()));

        given().queryParam("node", node).queryParam("state", "SUCCEEDED").get("/api/v1/commands").then()
                .statusCode(200).body("items.id", contains(done));
        given().queryParam("node", node).queryParam("state", "SUBMITTED").get("/api/v1/commands").then()
                .statusCode(200).body("items.id", contains(waiting));
        given().queryParam("cluster", cluster).get("/api/v1/commands").then()
                .statusCode(200).body("items.id", contains(stop), "items[0].type", containsString("StopDatabase"));
        given().queryParam("cluster", cluster).queryParam("node", node).get("/api/v1/commands").then()
                .statusCode(200).body("items.id", contains(stop, waiting, done));
        given().queryParam("node", "nobody-" + run).get("/api/v1/commands").then()
                .statusCode(200).body("items", hasSize(0), "nextCursor", nullValue());
    }

    @Test
    void bad_parameters_are_a_400_naming_what_is_wrong() {
        for (String[] bad : new String[][]{{"limit", "0"}, {"limit", "501"}, {"limit", "ten"}, {"state", "running"},
                {"cluster", "no-slash"}, {"node", "Not_A_Node"}, {"cursor", "not a cursor"},
                {"cursor", CommandQuery.cursor(5).substring(1)}}) {
            given().queryParam(bad[0], bad[1]).get("/api/v1/commands").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString(bad[0]));
        }
        given().queryParam("limit", "500").get("/api/v1/commands").then().statusCode(200);
    }

    @Test
    void a_viewer_may_list_and_nobody_without_a_token() {
        given().header("Authorization", SignedIn.bearer("it-viewer", Roles.VIEWER)).get("/api/v1/commands").then()
                .statusCode(200);
        given().header("Authorization", "Bearer not-a-token").get("/api/v1/commands").then().statusCode(401)
                .contentType("application/problem+json");
    }

    private static ValidatableResponse page(String node, String limit, String cursor) {
        var request = given().queryParam("node", node);
        if (limit != null) {
            request.queryParam("limit", limit);
        }
        if (cursor != null) {
            request.queryParam("cursor", cursor);
        }
        return request.get("/api/v1/commands").then().statusCode(200);
    }

    private static String cordon(String node) {
        return given().contentType(ContentType.JSON).post("/api/v1/nodes/" + node + "/cordon").then().statusCode(202).extract().path("id");
    }
}
