-- A campaign's calls summed by disposition ('' for none yet), kept in the transaction of every
-- insert and change of a call, so that a campaign's stats read a few rows instead of its calls.
-- connected: completed or voicemail.
CREATE TABLE campaign_call_counts (
    campaign_id TEXT NOT NULL,
    disposition TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    calls       BIGINT NOT NULL,
    connected   BIGINT NOT NULL,
    meetings    BIGINT NOT NULL,
    cost_cents  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, disposition)
);
INSERT INTO campaign_call_counts (campaign_id, disposition, org_id, calls, connected, meetings, cost_cents)
SELECT campaign_id, COALESCE(disposition, ''), MIN(org_id), COUNT(*),
       SUM(CASE WHEN status IN ('completed', 'voicemail') THEN 1 ELSE 0 END), SUM(meeting_booked), SUM(cost_cents)
FROM calls WHERE campaign_id IS NOT NULL GROUP BY campaign_id, COALESCE(disposition, '');
