package io.pgwarden.gateway;

/** The words the OpenAPI document uses for every command endpoint, in one place. */
final class ApiDocs {
    private ApiDocs() {
    }

    static final String IDEMPOTENCY_KEY = "Makes the request safe to retry. The same key with the same command"
            + " (path and body, compared as canonical JSON) returns the command the first request made: same id,"
            + " 202 again, nothing sent twice. The same key with another path or body is a 422. 1 to 255 printable"
            + " ASCII characters; keys are kept at least 24 h and are global (not yet per caller).";

    static final String ACCEPTED = "Stored and on its way (state SUBMITTED, or where the command stands when an"
            + " Idempotency-Key repeats it). Follow Location: it becomes ACCEPTED, RUNNING, then SUCCEEDED, FAILED"
            + " or REJECTED (also when it reaches its service after expiresAt).";

    static final String LOCATION = "Where to follow the command: /api/v1/commands/{id}";

    static final String BAD_REQUEST = "The request is invalid (path, body, X-Correlation-Id or Idempotency-Key:"
            + " empty, longer than 255 characters or not printable ASCII); errors name each field. Nothing was stored.";

    static final String KEY_REUSED = "The Idempotency-Key was already used for another request (another path or"
            + " body). Nothing was stored; use a new key for a new request.";

    static final String UNAVAILABLE = "The database did not take the command: nothing was stored, retry (with"
            + " the same Idempotency-Key, that is always safe). Kafka being away never causes this: the command"
            + " then waits in the outbox and the answer is 202. If the detail says the outcome is unknown, GET the"
            + " command id it names.";

    static final String FAILOVER_UNAVAILABLE = "failover-service, which owns the incidents, did not answer or cannot"
            + " read them now; the detail says which. Retry after Retry-After.";

    static final String DRY_RUN = "true: failover-service only checks and says the plan and each safety verdict, as"
            + " the command's result (its final reason), changing nothing; false by default.";

    static final String CLUSTERS_UNAVAILABLE = "The gateway's copy of the managed databases is older than"
            + " pgwarden.gateway.reads.stale-after (30 s), or there is none yet: failover-service, which watches"
            + " them, did not answer, has not listed them yet, or cannot read their incidents; the detail says which."
            + " Retry after Retry-After.";
}
