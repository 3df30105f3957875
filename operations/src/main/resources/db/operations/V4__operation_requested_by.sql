-- Who asked for a command (its ce_requestedby), repeated in every status; null for an incident's own work
-- and for operations recorded before it existed.
ALTER TABLE operation ADD COLUMN requested_by text;
