-- Call statistics (dashboard stats, the analytics query, reports) read an organization's calls
-- of a period.
CREATE INDEX calls_by_time ON calls (org_id, created_at);
