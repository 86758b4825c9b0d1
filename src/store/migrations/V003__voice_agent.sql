-- Agent profiles, voice presets, calls and call batches.

CREATE TABLE profiles (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    spec         TEXT NOT NULL,
    compiled     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    archived_at  BIGINT
);
CREATE INDEX profiles_by_org ON profiles (org_id, status, id);

CREATE TABLE voice_presets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    name        TEXT NOT NULL,
    engine      TEXT NOT NULL,
    voice       TEXT NOT NULL,
    rate_wpm    INTEGER NOT NULL,
    pitch       INTEGER NOT NULL,
    language    TEXT NOT NULL,
    gender      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX voice_presets_by_org ON voice_presets (org_id, id);

CREATE TABLE call_batches (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    profile_id  TEXT NOT NULL,
    total       INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX call_batches_by_org ON call_batches (org_id, id);

-- Columns that lists filter on are columns; the rest of a call is JSON text.
CREATE TABLE calls (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES organizations (id),
    profile_id             TEXT NOT NULL,
    profile_version        INTEGER NOT NULL,
    contact_id             TEXT,
    campaign_id            TEXT,
    batch_id               TEXT,
    direction              TEXT NOT NULL,
    status                 TEXT NOT NULL,
    from_number            TEXT NOT NULL,
    to_number              TEXT NOT NULL,
    disposition            TEXT,
    meeting_booked         INTEGER NOT NULL,
    talk_duration_seconds  INTEGER NOT NULL,
    cost_cents             INTEGER NOT NULL,
    claimed_by             TEXT,
    body                   TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX calls_by_org ON calls (org_id, id);
CREATE INDEX calls_by_contact ON calls (org_id, contact_id, id);
CREATE INDEX calls_by_batch ON calls (org_id, batch_id, id);
CREATE INDEX calls_by_status ON calls (status, id);

-- Installation-wide values shared by every node, such as the key that signs recording links.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
