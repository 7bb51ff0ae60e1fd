-- The audit chain without a global queue (issue #22, ADR 0011). An audited write no longer takes the chain's lock
-- inside its business transaction: it inserts its entry *pending* (no sequence, no links, no hash), which commits
-- or rolls back with the business data. The sequencer (modules/audit/audit.sequencer.ts) seals pending entries
-- shortly after, in a short transaction of its own that holds the chain's lock: sequence, previous hash and SM3
-- hash, in the order it seals them.
--
--   id         the entry's record number, in the order entries were recorded (not the chain's order); entries
--              written before this migration keep their sequence as their id
--   seq, prev_hash, hash
--              null while the entry is pending; set once, together, when it is sealed
--   sealed_at  when it was sealed (null on pending entries, and on entries sealed before this migration, which
--              were sealed in the transaction that wrote them)
--
-- Every existing entry is sealed, so the chain verifies as it did.

DROP TRIGGER audit_entry_append_only ON audit_entry;

ALTER TABLE audit_entry ADD COLUMN id bigint;
UPDATE audit_entry SET id = seq;
CREATE SEQUENCE audit_entry_id_seq OWNED BY audit_entry.id;
SELECT setval('audit_entry_id_seq', COALESCE((SELECT max(id) FROM audit_entry), 0) + 1, false);
ALTER TABLE audit_entry
  ALTER COLUMN id SET DEFAULT nextval('audit_entry_id_seq'),
  ALTER COLUMN id SET NOT NULL,
  DROP CONSTRAINT audit_entry_pkey,
  ADD PRIMARY KEY (id),
  ALTER COLUMN seq DROP NOT NULL,
  ADD CONSTRAINT audit_entry_seq_key UNIQUE (seq),
  ALTER COLUMN prev_hash DROP NOT NULL,
  ALTER COLUMN hash DROP NOT NULL,
  ADD COLUMN sealed_at timestamptz,
  -- Sealed whole or not at all.
  ADD CONSTRAINT audit_entry_sealed_whole CHECK (
    (seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (hash IS NULL) AND (seq IS NOT NULL OR sealed_at IS NULL)
  );

-- The sequencer's queue: the pending entries in record order (tiny: entries stay in it for moments).
CREATE INDEX audit_entry_pending_idx ON audit_entry (id) WHERE seq IS NULL;

-- Rows stay append-only; the one change allowed is sealing a pending entry, once: sequence, links, hash and seal
-- time set, every other column as it was recorded (compared as the whole row, so a column added later is covered
-- too). Same trigger name as before, so the operators' and tests' procedures that name it still apply.
CREATE FUNCTION audit_entry_seal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.sealed_at IS NULL
     AND NEW.seq IS NOT NULL AND NEW.sealed_at IS NOT NULL
     AND to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' - 'sealed_at'
       = to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' - 'sealed_at'
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_entry rows are append-only: % refused (only a pending entry may be sealed, once)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_seal_once();
