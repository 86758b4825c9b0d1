-- OAuth 2.1 for MCP clients (Claude, ChatGPT connectors): clients registered dynamically
-- (RFC 7591), authorization codes, grants (an organization's consent to one client) and their
-- tokens. Codes and tokens are stored as SHA-256 hashes only.
CREATE TABLE oauth_clients (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    redirect_uris  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE oauth_grants (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    client_id     TEXT NOT NULL REFERENCES oauth_clients (id),
    scope         TEXT NOT NULL,
    resource      TEXT NOT NULL,
    granted_by    TEXT NOT NULL REFERENCES api_keys (id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX oauth_grants_by_org ON oauth_grants (org_id, id);

CREATE TABLE oauth_codes (
    code_hash       TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES oauth_clients (id),
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    key_id          TEXT NOT NULL REFERENCES api_keys (id),
    scope           TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    resource        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT,
    grant_id        TEXT
);
CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires_at);

CREATE TABLE oauth_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES oauth_grants (id),
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX oauth_tokens_by_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_by_expiry ON oauth_tokens (expires_at);
