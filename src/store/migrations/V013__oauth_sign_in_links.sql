-- Signing in on the OAuth consent page without typing an API key: a one-time link made on the
-- server (`parley login-link`) for an owner or admin key, and the browser session it opens.
-- Both are stored as SHA-256 hashes only.
CREATE TABLE oauth_sign_ins (
    token_hash  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    key_id      TEXT NOT NULL REFERENCES api_keys (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX oauth_sign_ins_by_expiry ON oauth_sign_ins (expires_at);
CREATE INDEX oauth_clients_by_age ON oauth_clients (created_at);
CREATE INDEX oauth_grants_by_client ON oauth_grants (client_id);
CREATE INDEX oauth_codes_by_client ON oauth_codes (client_id);
