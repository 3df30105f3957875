-- Events waiting to be published: written in the same transaction as the change that causes them,
-- deleted by the relay once the broker has acknowledged them. Ids give the publishing order.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    topic      text        NOT NULL,
    record_key text,
    headers    jsonb       NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL
);
