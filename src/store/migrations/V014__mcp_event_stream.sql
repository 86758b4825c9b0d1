-- MCP's server-to-client stream (GET /mcp) reads an organization's recent events, and a session
-- keeps the lowest level of log message its client asked for (logging/setLevel).
CREATE INDEX events_by_org ON events (org_id, created_at);
ALTER TABLE mcp_sessions ADD COLUMN log_level TEXT NOT NULL DEFAULT 'info';
