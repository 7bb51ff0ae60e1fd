-- Two people for privileged accounts (issue 12, item 5). Granting a role with national or departmental powers
-- (ministry_official, department_official) or the oversight role is a proposal by the operator that an official
-- of the approving authority decides; until it is approved a new account cannot sign in. Accounts that exist
-- when this runs (the demo's among them) were granted before the rule and stay approved.
-- Runs unchanged on PostgreSQL 15 and on PGlite (PostgreSQL 18 inside).

ALTER TABLE app_user ADD COLUMN grant_status text NOT NULL DEFAULT 'approved';
ALTER TABLE app_user ADD CONSTRAINT app_user_grant_status_check
  CHECK (grant_status IN ('pending', 'approved', 'refused'));

-- One proposal: a new account (`create`) or a change of an existing account's role or scope (`change`, applied
-- only when approved). `approver_role` and `approver_authority_id` name who decides, fixed when proposed: the
-- officials of that authority (the role's own authority, or the one above while it has no official), or the
-- oversight accounts (approver_authority_id null).
CREATE TABLE account_grant (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES app_user (id),
  kind text NOT NULL CHECK (kind IN ('create', 'change')),
  role text NOT NULL CHECK (role IN ('ministry_official', 'department_official', 'oversight')),
  authority_id text REFERENCES authority (id),
  previous_role text CHECK (previous_role IN ('ministry_official', 'department_official', 'enterprise_user', 'oversight', 'operator')),
  previous_authority_id text REFERENCES authority (id),
  previous_enterprise_id uuid REFERENCES enterprise (id),
  approver_role text NOT NULL CHECK (approver_role IN ('ministry_official', 'department_official', 'oversight')),
  approver_authority_id text REFERENCES authority (id),
  proposed_by uuid NOT NULL REFERENCES app_user (id),
  proposed_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
  decided_by uuid REFERENCES app_user (id),
  decided_at timestamptz,
  reason text,
  CHECK ((role IN ('ministry_official', 'department_official')) = (authority_id IS NOT NULL)),
  CHECK ((approver_role = 'oversight') = (approver_authority_id IS NULL)),
  CHECK ((kind = 'change') = (previous_role IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)),
  CHECK ((status = 'refused') = (reason IS NOT NULL)),
  -- Nobody decides their own proposal, nor a grant to themselves.
  CHECK (decided_by IS NULL OR (decided_by <> proposed_by AND decided_by <> user_id))
);
-- At most one open proposal per account.
CREATE UNIQUE INDEX account_grant_pending_idx ON account_grant (user_id) WHERE status = 'pending';
CREATE INDEX account_grant_approver_idx ON account_grant (approver_authority_id, status);
CREATE INDEX account_grant_user_idx ON account_grant (user_id, proposed_at);
