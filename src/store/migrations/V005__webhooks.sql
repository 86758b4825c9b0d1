-- Events and webhooks.

-- The outbox: each event is written in the transaction of the change that caused it, and turned
-- into deliveries (fanned_out = 1) by the webhook worker.
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    type          TEXT NOT NULL,
    body          TEXT NOT NULL,
    call_id       TEXT,
    call_flow_id  TEXT,
    webhook_url   TEXT,
    created_at    BIGINT NOT NULL,
    fanned_out    INTEGER NOT NULL
);
CREATE INDEX events_to_fan_out ON events (fanned_out, id);

CREATE TABLE webhook_endpoints (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES organizations (id),
    url                    TEXT NOT NULL,
    description            TEXT NOT NULL,
    events                 TEXT NOT NULL,
    secret                 TEXT NOT NULL,
    previous_secret        TEXT,
    previous_secret_until  BIGINT,
    enabled                INTEGER NOT NULL,
    disabled_reason        TEXT,
    consecutive_failures   INTEGER NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, id);

-- The secret that signs deliveries to a call's own webhook_url.
CREATE TABLE webhook_org_secrets (
    org_id      TEXT PRIMARY KEY REFERENCES organizations (id),
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- One event for one receiver. status: pending (due at next_at; claimed_by the node sending it),
-- delivered, failed (attempts used up, the receiver is gone, or its endpoint was deleted).
CREATE TABLE webhook_deliveries (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    event          TEXT NOT NULL,
    endpoint_id    TEXT,
    url            TEXT NOT NULL,
    call_id        TEXT,
    call_flow_id   TEXT,
    status         TEXT NOT NULL,
    http_status    INTEGER,
    attempts       INTEGER NOT NULL,
    last_error     TEXT,
    next_at        BIGINT NOT NULL,
    claimed_by     TEXT,
    redelivery_of  TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    delivered_at   BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_by_org ON webhook_deliveries (org_id, id);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, status);
