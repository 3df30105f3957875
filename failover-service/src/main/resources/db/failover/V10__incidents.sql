-- One open incident per node: two replicas consuming the same node-health event cannot open two.
CREATE UNIQUE INDEX operation_one_open_incident ON operation (subject)
    WHERE kind = 'NodeIncident' AND state IN ('ACCEPTED', 'RUNNING');

-- The global pause of automatic failover (PauseFailover / ResumeFailover): one row, absent until first used.
CREATE TABLE failover_pause (
    id         integer PRIMARY KEY CHECK (id = 1),
    paused     boolean     NOT NULL,
    reason     text,
    command_id text        NOT NULL,
    changed_at timestamptz NOT NULL
);
