-- Issue 25: a second factor for every person who signs in, step-up for official acts, level-3 session and password rules.

-- The account's authenticator (RFC 6238): its secret sealed with SM4 like the division keys, the time step of the
-- last code accepted (a code is accepted once), and a secret being enrolled until a code from it confirms it.
ALTER TABLE app_user
  ADD COLUMN totp_secret_sealed text,
  ADD COLUMN totp_enrolled_at timestamptz,
  ADD COLUMN totp_last_step bigint,
  ADD COLUMN totp_pending_sealed text,
  -- Wrong codes in a row for the account, whatever the session or address, and until when codes are refused
  -- unchecked: guessing codes across many sign-ins and addresses meets the same doubling waits as passwords.
  ADD COLUMN totp_failures integer NOT NULL DEFAULT 0 CHECK (totp_failures >= 0),
  ADD COLUMN totp_blocked_until timestamptz,
  ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT app_user_totp_enrolled CHECK ((totp_secret_sealed IS NULL) = (totp_enrolled_at IS NULL));

-- One-time recovery codes, kept as HMAC-SM3 of the code under a key derived from the server's secret.
CREATE TABLE recovery_code (
  user_id uuid NOT NULL REFERENCES app_user (id),
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- The account's previous password hashes: a new password may not be one of the last few.
CREATE TABLE password_history (
  user_id uuid NOT NULL REFERENCES app_user (id),
  password_hash text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_user_idx ON password_history (user_id, set_at DESC);

-- A session is shown to its user (id, last use, where from) and passes stages: the password, then the second
-- factor (or enrolment, or a password change), then full. `second_factor_at`: when it last gave a code.
ALTER TABLE user_session
  ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN stage text NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'second_factor', 'enrol', 'password_change')),
  ADD COLUMN second_factor_at timestamptz,
  ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0 CHECK (second_factor_failures >= 0),
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN ip text,
  ADD COLUMN user_agent text;
CREATE UNIQUE INDEX user_session_id_idx ON user_session (id);

-- An operator's request to clear a privileged account's second factor (a lost device) is decided by a second
-- person, like a role grant.
ALTER TABLE account_grant DROP CONSTRAINT account_grant_kind_check;
ALTER TABLE account_grant ADD CONSTRAINT account_grant_kind_check
  CHECK (kind IN ('create', 'change', 'second_factor_reset'));

-- Authentication events beside refusals and exports; and an official act's audit entry records the second factor.
ALTER TABLE security_event DROP CONSTRAINT security_event_kind_check;
ALTER TABLE security_event ADD CONSTRAINT security_event_kind_check CHECK (kind IN ('denied', 'export', 'auth'));
ALTER TABLE audit_entry ADD COLUMN second_factor_at text;
