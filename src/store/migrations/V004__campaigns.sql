-- Contact lists, campaigns and the dialer's durable queue.

CREATE TABLE contact_lists (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX contact_lists_by_org ON contact_lists (org_id, id);

CREATE TABLE contact_list_members (
    list_id     TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX contact_list_members_by_contact ON contact_list_members (org_id, contact_id);

-- Columns that lists filter on are columns; the campaign's settings are JSON text.
CREATE TABLE campaigns (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    direction     TEXT NOT NULL,
    profile_id    TEXT NOT NULL,
    list_id       TEXT,
    spec          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    started_at    BIGINT,
    ended_at      BIGINT
);
CREATE INDEX campaigns_by_org ON campaigns (org_id, id);
CREATE INDEX campaigns_by_status ON campaigns (status, id);
CREATE INDEX campaigns_by_list ON campaigns (org_id, list_id);

-- One row per contact of a started campaign: where the dialer stands with that contact.
-- state: pending (waits for next_at), dialing (a call is placed: call_id), done (final, see outcome).
CREATE TABLE campaign_contacts (
    campaign_id   TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    day           TEXT NOT NULL,
    day_attempts  INTEGER NOT NULL,
    next_at       BIGINT NOT NULL,
    call_id       TEXT,
    outcome       TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, contact_id)
);
CREATE INDEX campaign_contacts_due ON campaign_contacts (campaign_id, state, next_at, contact_id);
CREATE INDEX campaign_contacts_by_call ON campaign_contacts (state, call_id);

-- An organization's dialer rules; an organization without a row has the defaults.
CREATE TABLE dialer_settings (
    org_id                TEXT PRIMARY KEY REFERENCES organizations (id),
    legal_hours_guard     INTEGER NOT NULL,
    legal_hours_start     TEXT NOT NULL,
    legal_hours_end       TEXT NOT NULL,
    max_concurrent_calls  INTEGER NOT NULL,
    updated_at            BIGINT NOT NULL
);

CREATE INDEX calls_by_campaign ON calls (org_id, campaign_id, id);
