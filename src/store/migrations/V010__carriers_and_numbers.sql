-- An organization's own SIP carriers (seed 003 "Add custom carrier (BYOC)") and the phone numbers
-- it owns on them. A carrier's password is sealed (common/secret_box.hpp); lists are JSON arrays.
CREATE TABLE carriers (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (id),
    name              TEXT NOT NULL,
    sip_host          TEXT NOT NULL,
    sip_port          INTEGER NOT NULL,
    transport         TEXT NOT NULL,
    auth_username     TEXT,
    auth_password     TEXT,
    from_domain       TEXT,
    outbound_proxy    TEXT,
    caller_id_format  TEXT NOT NULL,
    max_channels      INTEGER NOT NULL,
    codecs            TEXT NOT NULL,
    media_encryption  TEXT NOT NULL,
    inbound_sources   TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX carriers_by_name ON carriers (org_id, name);

-- A number is registered once in the installation: a call to it reaches one organization.
CREATE TABLE phone_numbers (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    number         TEXT NOT NULL UNIQUE,
    carrier_id     TEXT NOT NULL REFERENCES carriers (id),
    friendly_name  TEXT NOT NULL,
    profile_id     TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX phone_numbers_by_org ON phone_numbers (org_id, id);
CREATE INDEX phone_numbers_by_carrier ON phone_numbers (org_id, carrier_id);
