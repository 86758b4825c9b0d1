-- A claimed Idempotency-Key now records, in the same transaction as the request's first
-- committed work, that the work was done. A process killed after the work and before recording
-- the response used to leave a claim that a restart (or ten minutes) freed, so a retry ran the
-- request a second time: a second call for POST /calls. Such a claim is no longer freed.
ALTER TABLE idempotency_keys ADD COLUMN work_committed INTEGER NOT NULL DEFAULT 0;
