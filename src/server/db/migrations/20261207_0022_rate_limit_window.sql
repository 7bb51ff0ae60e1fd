-- Request counts of the rate limit, shared by every server process on this database (RATE_LIMIT_STORE=database).
-- UNLOGGED: counts are worth nothing after a crash, and a request's count costs no WAL and no flush at commit.
CREATE UNLOGGED TABLE rate_limit_window (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL CHECK (hits > 0)
);
