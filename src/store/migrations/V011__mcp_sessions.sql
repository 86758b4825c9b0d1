-- Sessions of the MCP server (POST /mcp, the Mcp-Session-Id header). A session belongs to the API
-- key (or OAuth grant: key_id holds either id) that opened it: a request with another key does
-- not find it. Kept in the database so any node serves a session and a restart does not end it.
CREATE TABLE mcp_sessions (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (id),
    key_id            TEXT NOT NULL,
    protocol_version  TEXT NOT NULL,
    client_name       TEXT NOT NULL,
    client_version    TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    ended_at          BIGINT
);
CREATE INDEX mcp_sessions_by_expiry ON mcp_sessions (expires_at);
