-- Indexes that hold only the rows their readers look for. A row that changes state then changes
-- fewer index entries, and finished rows (most of a large campaign, most calls) leave these
-- indexes. Queries repeat an index's condition literally so both databases use it.

-- The dialer's queue: pending rows by when they are due, dialing rows by their call.
DROP INDEX campaign_contacts_due;
DROP INDEX campaign_contacts_by_call;
CREATE INDEX campaign_contacts_due ON campaign_contacts (campaign_id, next_at, contact_id) WHERE state = 'pending';
CREATE INDEX campaign_contacts_dialing ON campaign_contacts (campaign_id, call_id) WHERE state = 'dialing';

-- Calls not yet ended: the runtime claims queued calls in order, closes its own after a restart,
-- and the dialer counts an organization's calls on the line against its ceiling before every
-- pass. That count walked every call the organization had ever made.
DROP INDEX calls_by_status;
CREATE INDEX calls_active ON calls (status, id) WHERE status IN ('queued', 'ringing', 'in_progress');
CREATE INDEX calls_active_by_org ON calls (org_id, status) WHERE status IN ('queued', 'ringing', 'in_progress');

-- Calls of a batch; most calls belong to none.
DROP INDEX calls_by_batch;
CREATE INDEX calls_by_batch ON calls (org_id, batch_id, id) WHERE batch_id IS NOT NULL;
