-- Oversight of officials (Art. 15): where an audited request came from, the log of refused requests and of
-- file exports, the alert rules' thresholds, and the alerts the oversight role works.

-- "From where": the client address and user agent of the request that made an audit entry. Entries written
-- before this migration have neither; the hash covers them only when present, so those entries still verify.
ALTER TABLE audit_entry ADD COLUMN ip text;
ALTER TABLE audit_entry ADD COLUMN user_agent text;
CREATE INDEX audit_entry_at_idx ON audit_entry (at);
CREATE INDEX audit_entry_action_idx ON audit_entry (action, seq);
CREATE INDEX audit_entry_ip_idx ON audit_entry (ip) WHERE ip IS NOT NULL;

-- Refused requests (401, 403, 404 on a protected route) and file exports: one row each, written outside the
-- request's own transaction, never into the hash chain (a flood of refusals must not grow or lock the chain).
-- Append-only like the chain, but not hash-linked: see docs/oversight.md.
CREATE TABLE security_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('denied', 'export')),
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text,
  actor_login text,
  method text NOT NULL,
  route text NOT NULL,
  url text NOT NULL,
  status integer NOT NULL,
  code text NOT NULL DEFAULT '',
  ip text NOT NULL,
  user_agent text NOT NULL DEFAULT '',
  request_id text NOT NULL,
  bytes bigint CHECK (bytes IS NULL OR bytes >= 0)
);
CREATE INDEX security_event_kind_at_idx ON security_event (kind, at);
CREATE INDEX security_event_actor_idx ON security_event (actor_id, at) WHERE actor_id IS NOT NULL;
CREATE INDEX security_event_ip_idx ON security_event (ip, at);
CREATE TRIGGER security_event_append_only BEFORE UPDATE OR DELETE ON security_event
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The alert rules' thresholds, changed by the oversight role (each change audited, under optimistic locking).
CREATE TABLE oversight_threshold (
  name text PRIMARY KEY,
  value integer NOT NULL CHECK (value >= 1),
  version integer NOT NULL DEFAULT 1,
  updated_by text NOT NULL DEFAULT 'system',
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO oversight_threshold (name, value) VALUES
  ('denied_attempts', 10),
  ('denied_window_minutes', 15),
  ('export_max_rows', 5000),
  ('export_max_bytes', 5000000),
  ('exports_per_window', 20),
  ('export_window_minutes', 60),
  ('lookback_days', 90);

-- An alert is found once (by key) and stays; the oversight role acknowledges it with a note (audited).
CREATE TABLE oversight_alert (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key text NOT NULL UNIQUE,
  rule text NOT NULL CHECK (rule IN ('approved_figure_changed', 'allocation_differs_from_engine',
    'late_filing_without_reason', 'repeated_denials', 'large_export', 'same_person_drafted_and_approved')),
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  actor_id text,
  summary text NOT NULL,
  evidence jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
  version integer NOT NULL DEFAULT 1,
  acknowledged_by text,
  acknowledged_at timestamptz,
  note text,
  CHECK ((status = 'acknowledged') = (acknowledged_by IS NOT NULL AND acknowledged_at IS NOT NULL AND note IS NOT NULL))
);
CREATE INDEX oversight_alert_status_idx ON oversight_alert (status, detected_at);
CREATE INDEX oversight_alert_subject_idx ON oversight_alert (subject_type, subject_id);
