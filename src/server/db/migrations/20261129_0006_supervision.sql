-- Supervision and enforcement (Arts. 12–16): inspections with their evidence files, violations with their legal
-- basis, decisions and their follow-up, and the reporting of handling results to the next higher level.
-- Inspections and decisions carry a status and a version (moved under optimistic locking, each move audited and
-- kept in a history table); evidence, violations and transitions are append-only.

CREATE TABLE inspection (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  -- The inspecting department: its division (where the enterprise is, or above; 000000 for a ministry).
  division_code text NOT NULL,
  department text NOT NULL CHECK (department IN ('industry_it', 'natural_resources')),
  planned_on date NOT NULL,
  purpose text NOT NULL,
  -- The risk reasons the plan was made from, as they stood (anomalies and notes).
  basis jsonb NOT NULL,
  -- The logins of the officials assigned.
  inspectors text[] NOT NULL CHECK (cardinality(inspectors) > 0),
  status text NOT NULL CHECK (status IN ('planned', 'visited')),
  visited_on date,
  findings text,
  outcome text CHECK (outcome IN ('no_violation', 'violation_found', 'obstructed')),
  version integer NOT NULL DEFAULT 1,
  idempotency_key text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (created_by, idempotency_key),
  CHECK (status = 'planned' OR (visited_on IS NOT NULL AND findings IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX inspection_enterprise_idx ON inspection (enterprise_id, planned_on);
CREATE INDEX inspection_division_idx ON inspection (division_code, planned_on);

-- The bytes of an evidence file, stored once however often they are attached (keyed by their SM3).
CREATE TABLE evidence_content (
  sm3 text PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  content_type text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  content bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER evidence_content_append_only BEFORE UPDATE OR DELETE ON evidence_content
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A file attached to an inspection: its name as sent, and the stored bytes.
CREATE TABLE evidence_file (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inspection_id uuid NOT NULL REFERENCES inspection (id),
  content_sm3 text NOT NULL REFERENCES evidence_content (sm3),
  file_name text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (inspection_id, content_sm3)
);
CREATE TRIGGER evidence_file_append_only BEFORE UPDATE OR DELETE ON evidence_file
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE violation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  inspection_id uuid REFERENCES inspection (id),
  anomaly_id uuid REFERENCES anomaly (id),
  -- The department that found it (its division; 000000 for a ministry).
  division_code text NOT NULL,
  department text NOT NULL CHECK (department IN ('industry_it', 'natural_resources')),
  type text NOT NULL,
  -- The citation as it stood when recorded (the full text is in supervision.rules.ts).
  legal_basis text NOT NULL,
  description text NOT NULL,
  found_on date NOT NULL,
  idempotency_key text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recorded_by, idempotency_key)
);
CREATE INDEX violation_enterprise_idx ON violation (enterprise_id, found_on);
CREATE TRIGGER violation_append_only BEFORE UPDATE OR DELETE ON violation
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE decision (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  violation_id uuid NOT NULL REFERENCES violation (id),
  -- Denormalised from the violation for Art. 14 and the scoped lists.
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  division_code text NOT NULL,
  department text NOT NULL CHECK (department IN ('industry_it', 'natural_resources')),
  kind text NOT NULL CHECK (kind IN ('correction_order', 'fine', 'suspension', 'referral')),
  document_no text NOT NULL,
  legal_basis text NOT NULL,
  decided_on date NOT NULL,
  -- A final administrative penalty (no appeal pending): Art. 14 reduces the next year's indicator.
  final boolean NOT NULL,
  correction_due_on date,
  fine_yuan bigint CHECK (fine_yuan IS NULL OR fine_yuan > 0),
  suspension_from date,
  suspension_to date,
  referred_to text,
  status text NOT NULL CHECK (status IN ('open', 'complied', 'closed')),
  version integer NOT NULL DEFAULT 1,
  -- Art. 12 ¶2: reported to the departments of the next higher division.
  reported_to_code text,
  reported_upward_at timestamptz,
  reported_upward_by text,
  idempotency_key text NOT NULL,
  decided_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (decided_by, idempotency_key),
  CHECK (kind <> 'correction_order' OR correction_due_on IS NOT NULL),
  CHECK (kind <> 'fine' OR fine_yuan IS NOT NULL),
  CHECK (kind <> 'suspension' OR (suspension_from IS NOT NULL AND suspension_to IS NOT NULL AND suspension_to >= suspension_from)),
  CHECK (kind <> 'referral' OR referred_to IS NOT NULL),
  CHECK (NOT final OR kind IN ('fine', 'suspension')),
  CHECK ((reported_to_code IS NULL) = (reported_upward_at IS NULL))
);
CREATE INDEX decision_violation_idx ON decision (violation_id);
CREATE INDEX decision_enterprise_idx ON decision (enterprise_id, decided_on);
CREATE INDEX decision_final_idx ON decision (decided_on) WHERE final;
CREATE INDEX decision_reported_idx ON decision (reported_to_code) WHERE reported_to_code IS NOT NULL;

-- Every move of an inspection or a decision: who, when, from what to what, and the note.
CREATE TABLE supervision_transition (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject_type text NOT NULL CHECK (subject_type IN ('inspection', 'decision')),
  subject_id uuid NOT NULL,
  from_status text NOT NULL,
  to_status text NOT NULL,
  note text NOT NULL,
  moved_by text NOT NULL,
  moved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX supervision_transition_subject_idx ON supervision_transition (subject_type, subject_id, id);
CREATE TRIGGER supervision_transition_append_only BEFORE UPDATE OR DELETE ON supervision_transition
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
