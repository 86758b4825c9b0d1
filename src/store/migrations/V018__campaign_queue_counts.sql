-- How many of a campaign's contacts are in each queue state, kept in the transaction of every
-- change of its queue, so that a campaign's stats read one row instead of counting a queue of a
-- million contacts (0.7 s a count on PostgreSQL).
CREATE TABLE campaign_queue_counts (
    campaign_id TEXT PRIMARY KEY REFERENCES campaigns (id),
    pending     BIGINT NOT NULL,
    dialing     BIGINT NOT NULL,
    done        BIGINT NOT NULL
);
INSERT INTO campaign_queue_counts (campaign_id, pending, dialing, done)
SELECT campaign_id,
       SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = 'dialing' THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END)
FROM campaign_contacts GROUP BY campaign_id;
