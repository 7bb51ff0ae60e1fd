-- Implementation reports (Art. 9): enterprise reports, compilations level by level, their returns, forwards and
-- reminders, and the deadline rules. Every row is append-only: a correction is a new version that names the one
-- it replaces; a return, a forward or a new deadline rule is a new row.

-- Deadline rules: the newest row of a (level, period kind) applies.
CREATE TABLE report_deadline_rule (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  level text NOT NULL CHECK (level IN ('enterprise', 'county', 'prefecture', 'province')),
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'year')),
  month_offset smallint NOT NULL CHECK (month_offset BETWEEN 1 AND 3),
  day smallint NOT NULL CHECK (day BETWEEN 1 AND 31),
  unit text NOT NULL CHECK (unit IN ('calendar_day', 'working_day')),
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER report_deadline_rule_append_only BEFORE UPDATE OR DELETE ON report_deadline_rule
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
INSERT INTO report_deadline_rule (level, period_kind, month_offset, day, unit, set_by) VALUES
  ('enterprise', 'month', 1, 10, 'calendar_day', 'default'),
  ('county', 'month', 1, 15, 'calendar_day', 'default'),
  ('prefecture', 'month', 1, 20, 'calendar_day', 'default'),
  ('province', 'month', 1, 25, 'calendar_day', 'default'),
  ('enterprise', 'year', 1, 31, 'calendar_day', 'default'),
  ('county', 'year', 2, 10, 'calendar_day', 'default'),
  ('prefecture', 'year', 2, 15, 'calendar_day', 'default'),
  ('province', 'year', 2, 20, 'calendar_day', 'default');

-- SM2 signing keys of enterprises and divisions. The private key is held encrypted (SM4) under the server's
-- key-encryption secret; see docs/adr/0007-report-signing.md.
CREATE TABLE signing_key (
  owner text PRIMARY KEY,
  public_key_pem text NOT NULL,
  private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER signing_key_append_only BEFORE UPDATE OR DELETE ON signing_key
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE report (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  domicile_code text NOT NULL,
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'year')),
  period date NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  replaces_id uuid,
  idempotency_key text NOT NULL,
  lines jsonb NOT NULL,
  late boolean NOT NULL,
  content_sm3 text NOT NULL,
  signature text NOT NULL,
  signer text NOT NULL,
  submitted_by text NOT NULL,
  submitted_at timestamptz NOT NULL,
  UNIQUE (enterprise_id, period_kind, period, version),
  UNIQUE (enterprise_id, idempotency_key),
  UNIQUE (replaces_id),
  -- A correction replaces a version of the same enterprise and period; only a first version replaces none.
  UNIQUE (id, enterprise_id, period_kind, period),
  FOREIGN KEY (replaces_id, enterprise_id, period_kind, period) REFERENCES report (id, enterprise_id, period_kind, period),
  CHECK ((version = 1) = (replaces_id IS NULL))
);
CREATE INDEX report_period_idx ON report (period_kind, period, domicile_code);
CREATE TRIGGER report_append_only BEFORE UPDATE OR DELETE ON report
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A division's compilation of its children for a period ('000000' is the nation, compiled by the ministries).
CREATE TABLE compilation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  division_code text NOT NULL,
  level text NOT NULL CHECK (level IN ('county', 'prefecture', 'province', 'nation')),
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'year')),
  period date NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  replaces_id uuid,
  idempotency_key text NOT NULL,
  totals jsonb NOT NULL,
  children jsonb NOT NULL,
  absent jsonb NOT NULL,
  content_sm3 text NOT NULL,
  signature text NOT NULL,
  signer text NOT NULL,
  compiled_by text NOT NULL,
  compiled_at timestamptz NOT NULL,
  UNIQUE (division_code, period_kind, period, version),
  UNIQUE (division_code, idempotency_key),
  UNIQUE (replaces_id),
  -- A new version replaces one of the same division and period; only a first version replaces none.
  UNIQUE (id, division_code, period_kind, period),
  FOREIGN KEY (replaces_id, division_code, period_kind, period) REFERENCES compilation (id, division_code, period_kind, period),
  CHECK ((version = 1) = (replaces_id IS NULL))
);
CREATE INDEX compilation_period_idx ON compilation (period_kind, period, division_code);
CREATE TRIGGER compilation_append_only BEFORE UPDATE OR DELETE ON compilation
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Submitting a compilation to the next level up.
CREATE TABLE compilation_forward (
  compilation_id uuid PRIMARY KEY REFERENCES compilation (id),
  late boolean NOT NULL,
  forwarded_by text NOT NULL,
  forwarded_at timestamptz NOT NULL
);
CREATE TRIGGER compilation_forward_append_only BEFORE UPDATE OR DELETE ON compilation_forward
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A report or compilation sent back for correction by the level it was submitted to.
CREATE TABLE report_return (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject_type text NOT NULL CHECK (subject_type IN ('report', 'compilation')),
  subject_id uuid NOT NULL,
  reason text NOT NULL,
  returned_by text NOT NULL,
  returned_at timestamptz NOT NULL,
  UNIQUE (subject_type, subject_id)
);
CREATE TRIGGER report_return_append_only BEFORE UPDATE OR DELETE ON report_return
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Reminders to those overdue: at most one per target, period and Beijing day.
CREATE TABLE report_reminder (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target_type text NOT NULL CHECK (target_type IN ('enterprise', 'division')),
  target_code text NOT NULL,
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'year')),
  period date NOT NULL,
  sent_on date NOT NULL,
  message text NOT NULL,
  sent_by text NOT NULL,
  sent_at timestamptz NOT NULL,
  UNIQUE (target_type, target_code, period_kind, period, sent_on)
);
CREATE INDEX report_reminder_target_idx ON report_reminder (target_type, target_code, sent_at DESC);
CREATE TRIGGER report_reminder_append_only BEFORE UPDATE OR DELETE ON report_reminder
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
