-- A stored response belongs to the API key that made the request: a replay by another key of the
-- organization handed out what that key could not have asked for (an owner's new admin key to a
-- member key). Each claim also names the node that runs it, so a node that restarts after a
-- kill -9 frees its unfinished claims at once. The old rows are dropped rather than carried
-- over: they belong to no key, and some held new API keys and webhook secrets in clear.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    org_id        TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    node_id       TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, key_id, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_unfinished ON idempotency_keys (node_id) WHERE status IS NULL;
