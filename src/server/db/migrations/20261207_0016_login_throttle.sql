-- Sign-in throttling by login and client address together (issue 12, item 7), in place of the account lock
-- that anyone could trigger. One row per login tried (known or not, so both behave alike) and address:
--   failures        failed attempts in a row from that address, reset by a sign-in from it;
--   blocked_until   when the next attempt from that address will be checked (null: now);
--   unreported      failed attempts (throttled ones too) since the account's last sign-in, for the notice;
--   last_failed_at  the latest of them.
CREATE TABLE login_throttle (
  login text NOT NULL,
  ip text NOT NULL,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  blocked_until timestamptz,
  unreported integer NOT NULL DEFAULT 0 CHECK (unreported >= 0),
  last_failed_at timestamptz NOT NULL,
  PRIMARY KEY (login, ip)
);
CREATE INDEX login_throttle_last_failed_at_idx ON login_throttle (last_failed_at);

-- The notice of failed sign-ins a session was opened with, for /auth/me to repeat (null: nothing to tell).
ALTER TABLE user_session ADD COLUMN failed_sign_ins jsonb;

-- The account lock is gone: release any lock in place. (The columns stay for now; nothing sets them.)
UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE failed_logins <> 0 OR locked_until IS NOT NULL;
