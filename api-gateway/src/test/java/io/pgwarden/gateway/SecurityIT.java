package io.pgwarden.gateway;

import io.pgwarden.contracts.CloudEventsKafka;
import io.pgwarden.contracts.Topics;
import io.pgwarden.contracts.event.CommandState;
import io.pgwarden.embedded.LocalIssuer;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Who may do what: tokens checked (signature, issuer, expiry), roles viewer < operator < admin, the caller named on
 * its commands, the per-caller command limit, the body size limit, CORS closed. Every refusal is problem+json.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SecurityIT.TightLimits.class)
class SecurityIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CORDON = "/api/v1/nodes/node001/cordon";

    /** Requests carry only the token a test gives them; 3 commands at once, then one each 10 s. */
    public static class TightLimits extends SignedIn {
        @Override
        protected boolean signInByDefault() {
            return false;
        }

        @Override
        protected Map<String, String> limits() {
            return Map.of("pgwarden.gateway.rate-limit.burst", "3",
                    "pgwarden.gateway.rate-limit.commands-per-second", "0.1");
        }
    }

    private static RequestSpecification as(String subject, String role) {
        return given().header("Authorization", SignedIn.bearer(subject, role));
    }

    private static String unique(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void without_a_token_every_api_route_is_a_401_problem_with_a_bearer_challenge() {
        given().contentType(ContentType.JSON).post(CORDON).then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE).header("WWW-Authenticate", containsString("Bearer"))
                .body("status", equalTo(401), "detail", containsString("needs a bearer token"));
        for (String read : List.of("/api/v1/nodes", "/api/v1/clusters", "/api/v1/incidents",
                "/api/v1/commands/" + UUID.randomUUID())) {
            given().get(read).then().statusCode(401).contentType(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", containsString("Bearer"));
        }
        given().header("Authorization", "Bearer not-a-jwt").get("/api/v1/nodes").then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE).header("WWW-Authenticate", containsString("invalid_token"));
        given().header("Authorization", "Basic YWRtaW46YWRtaW4=").contentType(ContentType.JSON).post(CORDON)
                .then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE);
    }

    @Inject
    JWTParser parser;

    @Test
    void tokens_are_checked_through_the_gateway_s_cache_of_verified_tokens() {
        // SmallRye's MpJwtValidator injects this parser; the cases below then also hold with the cache in front.
        assertThat(parser).isInstanceOf(VerifiedTokens.class);
    }

    @Test
    void expired_wrongly_signed_and_foreign_tokens_are_401() throws Exception {
        JwtClaims expired = LocalIssuer.claims("it-late", List.of(Roles.ADMIN), Instant.now().minus(Duration.ofHours(2)),
                Duration.ofHours(1));
        String wronglySigned = LocalIssuer.in(Files.createTempDirectory("pgwarden-it-other-key"))
                .token("it-forger", List.of(Roles.ADMIN), Duration.ofHours(1));
        JwtClaims foreign = LocalIssuer.claims("it-foreigner", List.of(Roles.ADMIN), Instant.now(), Duration.ofHours(1));
        foreign.setIssuer("https://elsewhere.example/issuer");

        for (String token : List.of(SignedIn.issuer().sign(expired), wronglySigned, SignedIn.issuer().sign(foreign))) {
            given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).post(CORDON)
                    .then().statusCode(401).contentType(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", containsString("invalid_token"))
                    .body("detail", containsString("refused"));
        }
    }

    @Test
    void a_viewer_reads_but_does_not_command() {
        String viewer = unique("it-viewer");
        as(viewer, Roles.VIEWER).get("/api/v1/nodes").then().statusCode(200);
        as(viewer, Roles.VIEWER).get("/api/v1/commands/" + UUID.randomUUID()).then().statusCode(404);

        as(viewer, Roles.VIEWER).contentType(ContentType.JSON).post(CORDON).then().statusCode(403)
                .contentType(Problem.MEDIA_TYPE).body("detail", containsString("needs role operator"));
        as(viewer, Roles.VIEWER).contentType(ContentType.JSON).post("/api/v1/clusters/default/pg/backups")
                .then().statusCode(403).contentType(Problem.MEDIA_TYPE);
        as(unique("it-nobody"), "dba").get("/api/v1/nodes").then().statusCode(403).contentType(Problem.MEDIA_TYPE);
    }

    @Test
    void an_operator_commands_but_not_what_only_an_admin_may() {
        String operator = unique("it-operator");
        as(operator, Roles.OPERATOR).contentType(ContentType.JSON).post("/api/v1/nodes/node001/unfence")
                .then().statusCode(403).contentType(Problem.MEDIA_TYPE).body("detail", containsString("needs role admin"));
        as(operator, Roles.OPERATOR).contentType(ContentType.JSON).post("/api/v1/failover/pause")
                .then().statusCode(403).contentType(Problem.MEDIA_TYPE);

        as(operator, Roles.OPERATOR).contentType(ContentType.JSON).post(CORDON).then().statusCode(202);
        as(unique("it-admin"), Roles.ADMIN).contentType(ContentType.JSON).post("/api/v1/nodes/node001/unfence")
                .then().statusCode(202);
    }

    @Test
    void the_caller_is_named_on_the_command_on_kafka_and_in_its_status() {
        String operator = unique("it-operator");
        try (TopicProbe probe = new TopicProbe(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS)) {
            String id = as(operator, Roles.OPERATOR).contentType(ContentType.JSON).post(CORDON).then().statusCode(202)
                    .body("requestedBy", equalTo(operator)).extract().path("id");

            ConsumerRecord<String, byte[]> command = probe.await(r -> CloudEventsKafka.header(r.headers(), "ce_id")
                    .filter(id::equals).isPresent(), WAIT);
            assertThat(CloudEventsKafka.header(command.headers(), "ce_requestedby")).contains(operator);

            Statuses.send(probe, id, id, CommandState.SUCCEEDED, 2, null, "cordoned node node001", operator);
            await().atMost(WAIT).untilAsserted(() -> as(unique("it-viewer"), Roles.VIEWER)
                    .get("/api/v1/commands/" + id).then().statusCode(200)
                    .body("state", equalTo("SUCCEEDED"), "requestedBy", equalTo(operator)));

            // A command another system sent straight to Kafka gets its requester from its statuses, if any.
            String foreign = UUID.randomUUID().toString();
            Statuses.send(probe, foreign, foreign, CommandState.ACCEPTED, 1, null, null, null);
            await().atMost(WAIT).untilAsserted(() -> as(operator, Roles.VIEWER).get("/api/v1/commands/" + foreign)
                    .then().statusCode(200).body("state", equalTo("ACCEPTED"), "requestedBy", nullValue()));
            Statuses.send(probe, foreign, foreign, CommandState.SUCCEEDED, 2, null, "done", "someone-else");
            await().atMost(WAIT).untilAsserted(() -> as(operator, Roles.VIEWER).get("/api/v1/commands/" + foreign)
                    .then().statusCode(200).body("state", equalTo("SUCCEEDED"), "requestedBy", equalTo("someone-else")));
        }
    }

    @Test
    void a_caller_over_its_limit_gets_429_with_retry_after_and_others_do_not() {
        String hasty = unique("it-hasty");
        for (int i = 0; i < 3; i++) {
            as(hasty, Roles.OPERATOR).contentType(ContentType.JSON).post(CORDON).then().statusCode(202);
        }
        String retryAfter = as(hasty, Roles.OPERATOR).contentType(ContentType.JSON).post(CORDON).then()
                .statusCode(429).contentType(Problem.MEDIA_TYPE).body("detail", containsString(hasty))
                .extract().header("Retry-After");
        assertThat(Integer.parseInt(retryAfter)).isBetween(1, 10);
        as(hasty, Roles.OPERATOR).get("/api/v1/nodes").then().statusCode(200); // reads are not limited
        as(unique("it-patient"), Roles.OPERATOR).contentType(ContentType.JSON).post(CORDON).then().statusCode(202);
    }

    @Test
    void an_oversized_body_is_a_413_problem() {
        String reason = "x".repeat(20_000);
        as(unique("it-operator"), Roles.OPERATOR).contentType(ContentType.JSON)
                .body("{\"reason\":\"" + reason + "\"}").post(CORDON)
                .then().statusCode(413).contentType(Problem.MEDIA_TYPE).body("status", equalTo(413),
                        "detail", containsString("at most 16384"));
    }

    @Test
    void cross_origin_requests_get_no_cors_permission() {
        String allowed = given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options(CORDON).then().extract().header("Access-Control-Allow-Origin");
        assertThat(allowed).isNull();
        String onPost = as(unique("it-operator"), Roles.VIEWER).header("Origin", "https://evil.example")
                .get("/api/v1/nodes").then().extract().header("Access-Control-Allow-Origin");
        assertThat(onPost).isNull();
    }

    @Test
    void health_metrics_and_openapi_stay_open_and_swagger_ui_is_off() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/swagger-ui").then().statusCode(404);
    }

    @Test
    void the_operator_page_loads_without_a_token_under_its_content_security_policy_and_the_api_still_needs_one() {
        String policy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
                + " frame-ancestors 'none'";
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<script src=\"page.js\"")).header("Content-Security-Policy", equalTo(policy));
        given().get("/index.html").then().statusCode(200).header("Content-Security-Policy", equalTo(policy));
        given().get("/page.js").then().statusCode(200).contentType(containsString("javascript"));
        given().get("/page.css").then().statusCode(200).contentType(containsString("text/css"));
        given().get("/api/v1/nodes").then().statusCode(401).contentType(Problem.MEDIA_TYPE);
    }
}
