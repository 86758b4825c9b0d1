-- Portable SQL: runs unchanged on SQLite 3.40 and PostgreSQL 15.
-- Times are BIGINT milliseconds since the Unix epoch (UTC); booleans are INTEGER 0/1;
-- lists and objects are JSON text. Every table that holds an organization's data has org_id.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tier        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    mode          TEXT NOT NULL,
    permission    TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_by    TEXT,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_keys_by_org ON api_keys (org_id, id);

CREATE TABLE custom_fields (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    description  TEXT NOT NULL,
    category     TEXT NOT NULL,
    required     INTEGER NOT NULL,
    options      TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX custom_fields_by_org ON custom_fields (org_id, id);

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    first_name     TEXT,
    last_name      TEXT,
    phone          TEXT NOT NULL,
    phone_region   TEXT NOT NULL,
    email          TEXT,
    company        TEXT,
    timezone       TEXT,
    source         TEXT NOT NULL,
    campaign_id    TEXT,
    tags           TEXT NOT NULL,
    custom_fields  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (org_id, phone)
);
CREATE INDEX contacts_by_org ON contacts (org_id, id);
CREATE INDEX contacts_by_source ON contacts (org_id, source, id);
CREATE INDEX contacts_by_campaign ON contacts (org_id, campaign_id, id);

CREATE TABLE contact_tags (
    org_id      TEXT NOT NULL,
    tag         TEXT NOT NULL,
    contact_id  TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, tag, contact_id)
);
CREATE INDEX contact_tags_by_contact ON contact_tags (contact_id);

-- The numbers an organization may not call now. A row outlives the contact it came from.
CREATE TABLE dnc_numbers (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    phone       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, phone)
);

-- Every change to the DNC list, never updated or deleted.
CREATE TABLE dnc_ledger (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    phone       TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    note        TEXT,
    contact_id  TEXT,
    call_id     TEXT,
    api_key_id  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX dnc_ledger_by_phone ON dnc_ledger (org_id, phone, id);

CREATE TABLE idempotency_keys (
    org_id        TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
