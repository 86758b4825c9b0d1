-- Money (seeds 001 "Billing", 002 "Credits", 003 "Account"): an organization's balance and what
-- it has chosen about spending, and the ledger every change of the balance is written to.

-- One row per organization, made by its first ledger entry or settings. `month` ("2026-12",
-- UTC) is the month whose call charges `month_calls` counts and `month_spent_cents` sums.
CREATE TABLE billing_accounts (
    org_id                      TEXT PRIMARY KEY REFERENCES organizations (id),
    balance_cents               BIGINT NOT NULL,
    prepaid                     INTEGER NOT NULL,
    low_balance_threshold_cents BIGINT,
    monthly_limit_cents         BIGINT,
    month                       TEXT NOT NULL,
    month_calls                 BIGINT NOT NULL,
    month_spent_cents           BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL
);

-- Call charges (negative), purchases and adjustments, in integer cents; balance_after_cents is
-- the balance right after the entry. A call is charged once: (org_id, call_id) is unique, and
-- entries without a call do not collide (NULLs are distinct in both databases).
CREATE TABLE ledger_entries (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id),
    kind                TEXT NOT NULL,
    amount_cents        BIGINT NOT NULL,
    balance_after_cents BIGINT NOT NULL,
    call_id             TEXT,
    description         TEXT NOT NULL,
    reference           TEXT,
    created_by          TEXT,
    components          TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX ledger_one_charge_per_call ON ledger_entries (org_id, call_id);
CREATE INDEX ledger_by_org ON ledger_entries (org_id, id);
CREATE INDEX ledger_by_time ON ledger_entries (org_id, created_at);

-- What a call charge was for, its cents per carrier and engine (the call's cost_breakdown), as
-- rows that usage sums by component (the entry keeps them as JSON text too, for its history).
CREATE TABLE ledger_components (
    entry_id   TEXT NOT NULL REFERENCES ledger_entries (id),
    org_id     TEXT NOT NULL,
    component  TEXT NOT NULL,
    cents      BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, component)
);
CREATE INDEX ledger_components_by_time ON ledger_components (org_id, created_at);
