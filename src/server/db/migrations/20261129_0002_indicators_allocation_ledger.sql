-- Annual total control indicators (Art. 5), their allocation (Art. 6, 14) and the quota ledger (Art. 8).

CREATE TABLE indicator_plan (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  year integer NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
  -- The Art. 5 factors: economic goals, reserves and variety, industry development, ecology, market demand.
  memo jsonb NOT NULL,
  weights jsonb NOT NULL,
  penalty_reduction_ppm integer NOT NULL CHECK (penalty_reduction_ppm BETWEEN 0 AND 1000000),
  sub_allocation_working_days integer NOT NULL DEFAULT 10 CHECK (sub_allocation_working_days BETWEEN 1 AND 60),
  created_by uuid NOT NULL REFERENCES app_user (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A batch goes through its own Art. 5 lifecycle: draft → cosigned → submitted → approved → allocated → issued.
CREATE TABLE indicator_batch (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES indicator_plan (id),
  seq integer NOT NULL CHECK (seq >= 1),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('regular', 'reserve')),
  status text NOT NULL CHECK (status IN ('draft', 'cosigned', 'submitted', 'approved', 'allocated', 'issued')),
  drafted_by uuid NOT NULL REFERENCES app_user (id),
  submitted_by uuid REFERENCES app_user (id),
  submitted_at timestamptz,
  approval_document_no text,
  approval_date date,
  approval_recorded_by uuid REFERENCES app_user (id),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, seq),
  CHECK ((status IN ('approved', 'allocated', 'issued')) = (approval_document_no IS NOT NULL AND approval_date IS NOT NULL)),
  CHECK (approval_recorded_by IS NULL OR approval_recorded_by <> drafted_by)
);

CREATE TABLE batch_category_total (
  batch_id uuid NOT NULL REFERENCES indicator_batch (id),
  category text NOT NULL CHECK (category IN ('mining_rock', 'mining_ion_adsorption', 'separation',
    'separation_domestic', 'separation_imported', 'separation_monazite')),
  total_reo_kg bigint NOT NULL CHECK (total_reo_kg >= 0),
  PRIMARY KEY (batch_id, category)
);

CREATE TABLE batch_cosign (
  batch_id uuid NOT NULL REFERENCES indicator_batch (id),
  authority_id text NOT NULL CHECK (authority_id IN ('MNR', 'NDRC')),
  user_id uuid NOT NULL REFERENCES app_user (id),
  signed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, authority_id)
);

-- Approved figures never change in place: totals and approval are frozen once a batch is approved.
CREATE FUNCTION batch_totals_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  batch_status text;
BEGIN
  SELECT status INTO batch_status FROM indicator_batch WHERE id = COALESCE(NEW.batch_id, OLD.batch_id);
  IF batch_status <> 'draft' THEN
    RAISE EXCEPTION 'the totals of a batch are frozen once it leaves draft' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN COALESCE(NEW, OLD);
END;
$$;
CREATE TRIGGER batch_totals_frozen BEFORE INSERT OR UPDATE OR DELETE ON batch_category_total
  FOR EACH ROW EXECUTE FUNCTION batch_totals_frozen();

CREATE FUNCTION batch_approval_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'batches are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.approval_document_no IS NOT NULL AND (NEW.approval_document_no IS DISTINCT FROM OLD.approval_document_no
      OR NEW.approval_date IS DISTINCT FROM OLD.approval_date) THEN
    RAISE EXCEPTION 'an approval record never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER batch_approval_frozen BEFORE UPDATE OR DELETE ON indicator_batch
  FOR EACH ROW EXECUTE FUNCTION batch_approval_frozen();

-- One run of the engine (or a manual allocation) over a batch and category, at national level (to groups
-- and ungrouped enterprises) or within a group (to its enterprises).
CREATE TABLE allocation_run (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  batch_id uuid NOT NULL REFERENCES indicator_batch (id),
  category text NOT NULL,
  level text NOT NULL CHECK (level IN ('national', 'group')),
  group_id text REFERENCES enterprise_group (id),
  mode text NOT NULL CHECK (mode IN ('engine', 'manual')),
  status text NOT NULL CHECK (status IN ('proposed', 'approved', 'issued', 'withdrawn')),
  total_reo_kg bigint NOT NULL CHECK (total_reo_kg >= 0),
  input jsonb NOT NULL,
  created_by uuid NOT NULL REFERENCES app_user (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES app_user (id),
  approved_at timestamptz,
  issued_at timestamptz,
  due_on date,
  CHECK ((level = 'group') = (group_id IS NOT NULL)),
  CHECK (approved_by IS NULL OR approved_by <> created_by)
);
CREATE INDEX allocation_run_batch_idx ON allocation_run (batch_id, category);
-- At most one live run per batch, category and group: a new proposal withdraws the old one.
CREATE UNIQUE INDEX allocation_run_one_approved ON allocation_run (batch_id, category, COALESCE(group_id, ''))
  WHERE status IN ('approved', 'issued');

CREATE TABLE allocation_share (
  run_id uuid NOT NULL REFERENCES allocation_run (id),
  holder_kind text NOT NULL CHECK (holder_kind IN ('group', 'enterprise')),
  holder_id text NOT NULL,
  reo_kg bigint NOT NULL CHECK (reo_kg >= 0),
  explanation jsonb NOT NULL,
  PRIMARY KEY (run_id, holder_kind, holder_id)
);

-- Double-entry quota ledger. An account per holder × year × category; balances derive from entries.
CREATE TABLE ledger_account (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('approved', 'national_pool', 'group', 'enterprise', 'consumed', 'reduced')),
  holder_id text NOT NULL,
  year integer NOT NULL,
  category text NOT NULL,
  enterprise_id uuid REFERENCES enterprise (id),
  UNIQUE (kind, holder_id, year, category),
  CHECK ((kind = 'enterprise') = (enterprise_id IS NOT NULL))
);

CREATE TABLE ledger_entry (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('approve', 'issue', 'adjust', 'reduce', 'consume', 'reverse')),
  year integer NOT NULL,
  category text NOT NULL,
  debit_account_id bigint NOT NULL REFERENCES ledger_account (id),
  credit_account_id bigint NOT NULL REFERENCES ledger_account (id),
  reo_kg bigint NOT NULL CHECK (reo_kg > 0),
  reference text NOT NULL,
  reverses_entry_id bigint REFERENCES ledger_entry (id),
  memo text NOT NULL DEFAULT '',
  -- Consumption past the balance is recorded, never capped: the entry says so.
  over_balance boolean NOT NULL DEFAULT false,
  enterprise_id uuid REFERENCES enterprise (id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX ledger_entry_debit_idx ON ledger_entry (debit_account_id);
CREATE INDEX ledger_entry_credit_idx ON ledger_entry (credit_account_id);
CREATE INDEX ledger_entry_enterprise_idx ON ledger_entry (enterprise_id, year);
CREATE UNIQUE INDEX ledger_entry_reversed_once ON ledger_entry (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL;
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Art. 6 ¶2: issuance notices to enterprises and provincial departments; provinces forward to counties.
CREATE TABLE notice (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES allocation_run (id),
  recipient_kind text NOT NULL CHECK (recipient_kind IN ('enterprise', 'authority')),
  recipient_id text NOT NULL,
  forwarded_from uuid REFERENCES notice (id),
  title text NOT NULL,
  body jsonb NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  read_by uuid REFERENCES app_user (id),
  UNIQUE (run_id, recipient_kind, recipient_id)
);
CREATE INDEX notice_recipient_idx ON notice (recipient_kind, recipient_id);
