-- A decision's finality after the time for appeal (Art. 14 counts only final penalties): a fine or suspension
-- decided while an appeal could still be brought becomes final later — `final_on`, the date Art. 14 counts it
-- by (the decision's own date when it was final when made) — or is revoked on reconsideration or by a court. A
-- revoked decision is closed and never final. Reassigning an inspection's officials is a transition of
-- its own (planned → planned, the old and new logins in the note).

ALTER TABLE decision ADD COLUMN final_on date;
UPDATE decision SET final_on = decided_on WHERE final;
ALTER TABLE decision ADD CONSTRAINT decision_final_on_check
  CHECK (final = (final_on IS NOT NULL) AND (final_on IS NULL OR final_on >= decided_on));
CREATE INDEX decision_final_on_idx ON decision (final_on) WHERE final;

ALTER TABLE decision ADD COLUMN revoked_on date;
ALTER TABLE decision ADD CONSTRAINT decision_revoked_check
  CHECK (revoked_on IS NULL OR (NOT final AND status = 'closed'));
