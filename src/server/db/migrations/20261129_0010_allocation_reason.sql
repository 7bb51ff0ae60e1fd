-- Why an allocation departs from the engine (Art. 15, oversight rule 2): a run whose shares differ from what the
-- engine gives on the register and the plan's parameters (a manual allocation, or the engine with other
-- weights or reduction rate) carries the reason its proposer recorded. The application requires it; the
-- database only keeps it a real text, and the oversight rule flags any differing run without one.
ALTER TABLE allocation_run ADD COLUMN reason text
  CHECK (reason IS NULL OR (length(btrim(reason)) > 0 AND length(reason) <= 1000));
