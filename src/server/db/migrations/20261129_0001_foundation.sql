-- Foundation: registry, auth and the audit chain.
-- Runs unchanged on PostgreSQL 15 and on PGlite (PostgreSQL 18 inside).

CREATE TABLE division (
  code char(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  name text NOT NULL,
  level text NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
  parent_code char(6) REFERENCES division (code)
);
CREATE INDEX division_parent_idx ON division (parent_code);

CREATE TABLE authority (
  id text PRIMARY KEY,
  department text NOT NULL CHECK (department IN ('industry_it', 'natural_resources', 'development_reform')),
  division_code char(6) REFERENCES division (code),
  name text NOT NULL,
  UNIQUE (division_code, department)
);

CREATE TABLE enterprise_group (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE enterprise (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  credit_code char(18) NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('mining', 'separation', 'both')),
  domicile_code char(6) NOT NULL REFERENCES division (code),
  group_id text REFERENCES enterprise_group (id),
  mining_capacity_reo_kg_per_year bigint NOT NULL DEFAULT 0 CHECK (mining_capacity_reo_kg_per_year >= 0),
  separation_capacity_reo_kg_per_year bigint NOT NULL DEFAULT 0 CHECK (separation_capacity_reo_kg_per_year >= 0),
  technical_score integer NOT NULL CHECK (technical_score BETWEEN 0 AND 100),
  environment_score integer NOT NULL CHECK (environment_score BETWEEN 0 AND 100),
  safety_score integer NOT NULL CHECK (safety_score BETWEEN 0 AND 100),
  licences jsonb NOT NULL DEFAULT '[]',
  security_profile jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_domicile_idx ON enterprise (domicile_code);
CREATE INDEX enterprise_group_idx ON enterprise (group_id);

CREATE TABLE designation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  scope text NOT NULL CHECK (scope IN ('mining', 'separation')),
  document_no text NOT NULL,
  effective_on date NOT NULL,
  revoked_on date,
  revocation_document_no text,
  revocation_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (revoked_on IS NULL OR revoked_on >= effective_on),
  CHECK ((revoked_on IS NULL) = (revocation_document_no IS NULL)),
  UNIQUE (enterprise_id, scope, document_no)
);
CREATE INDEX designation_enterprise_idx ON designation (enterprise_id);

CREATE TABLE product (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,32}$'),
  name_zh text NOT NULL,
  name_en text NOT NULL,
  category text NOT NULL CHECK (category IN ('mineral', 'separated')),
  form text NOT NULL,
  ore_type text CHECK (ore_type IN ('rock', 'ion_adsorption', 'mixed', 'imported', 'monazite')),
  conversion text NOT NULL CHECK (conversion IN ('assay', 'factor')),
  reo_factor_ppm integer CHECK (reo_factor_ppm BETWEEN 1 AND 2000000),
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  CHECK ((conversion = 'factor') = (reo_factor_ppm IS NOT NULL))
);

-- Every change to a registry record appends its whole new state here; nothing is overwritten silently.
CREATE TABLE registry_revision (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity text NOT NULL CHECK (entity IN ('enterprise', 'designation', 'product')),
  entity_id text NOT NULL,
  version integer NOT NULL,
  data jsonb NOT NULL,
  changed_by uuid NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (entity, entity_id, version)
);

CREATE TABLE app_user (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  login text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._-]{3,64}$'),
  display_name text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('ministry_official', 'department_official', 'enterprise_user', 'oversight', 'operator')),
  authority_id text REFERENCES authority (id),
  enterprise_id uuid REFERENCES enterprise (id),
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role IN ('ministry_official', 'department_official')) = (authority_id IS NOT NULL)),
  CHECK ((role = 'enterprise_user') = (enterprise_id IS NOT NULL))
);

CREATE TABLE user_session (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

CREATE TABLE api_token (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES app_user (id),
  name text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

-- Replays of a write with the same client-made key return the first answer.
CREATE TABLE idempotency_record (
  user_id uuid NOT NULL,
  key text NOT NULL,
  operation text NOT NULL,
  request_hash text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE audit_entry (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_login text NOT NULL,
  actor_role text NOT NULL,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text NOT NULL,
  prev_hash char(64) NOT NULL,
  hash char(64) NOT NULL UNIQUE
);
CREATE INDEX audit_entry_object_idx ON audit_entry (object_type, object_id);
CREATE INDEX audit_entry_actor_idx ON audit_entry (actor_id);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER registry_revision_append_only BEFORE UPDATE OR DELETE ON registry_revision
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A designation is never rewritten: only its revocation may be recorded, once.
CREATE FUNCTION designation_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'designations are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.revoked_on IS NOT NULL
     OR NEW.enterprise_id <> OLD.enterprise_id OR NEW.scope <> OLD.scope
     OR NEW.document_no <> OLD.document_no OR NEW.effective_on <> OLD.effective_on
     OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'a designation may only be revoked, once' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER designation_revoke_only BEFORE UPDATE OR DELETE ON designation
  FOR EACH ROW EXECUTE FUNCTION designation_revoke_only();
