-- Who asked for the command: the subject of the caller's token (ce_requestedby). Null for commands other
-- systems sent straight to Kafka without one, and for commands stored before it existed.
ALTER TABLE command ADD COLUMN requested_by text;
