-- The weights of the risk-ranked inspection list (Art. 12), set per jurisdiction: a division code, or 000000 for
-- the nation (MIIT, MNR). Append-only: a change is a new version of the division's weights; the newest version of
-- the nearest division at or above the one asked about applies, and the built-in defaults where none has any.
CREATE TABLE risk_weight (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  division_code text NOT NULL CHECK (division_code ~ '^[0-9]{6}$'),
  -- 1, 2, 3 … per division: a change names the version it replaces (optimistic locking, no lost updates).
  version integer NOT NULL CHECK (version >= 1),
  -- The whole set of weights as set (src/contracts/supervision-risk.ts, riskWeights).
  weights jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (division_code, version)
);
CREATE TRIGGER risk_weight_append_only BEFORE UPDATE OR DELETE ON risk_weight
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
