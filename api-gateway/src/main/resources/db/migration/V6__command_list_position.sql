-- The order the gateway first stored each command in, for GET /api/v1/commands (newest first) and its cursor:
-- unlike submitted_at (null for commands seen only through their statuses) it is never null, never changes and
-- never ties. Existing rows are numbered when the column is added.
ALTER TABLE command ADD COLUMN list_position bigserial;
CREATE UNIQUE INDEX command_list_position ON command (list_position);
