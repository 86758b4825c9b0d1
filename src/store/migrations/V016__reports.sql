-- Saved reports (seed 000 "Reports API"): an analytics query kept by name, its definition as
-- JSON text.
CREATE TABLE reports (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX reports_by_name ON reports (org_id, name);
CREATE INDEX reports_by_org ON reports (org_id, id);
