-- The EPCIS 2.0 repository (docs/epcis.md): every schema-valid event an enterprise captures, kept as captured,
-- and the capture jobs the REST binding reports on.

-- One capture job: a POST /epcis/capture. Recorded before the events are processed and finished once, whatever
-- the outcome (a refused rollback capture is still the answer its client polls for).
CREATE TABLE epcis_capture (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  created_by text NOT NULL,
  error_behaviour text NOT NULL CHECK (error_behaviour IN ('rollback', 'proceed')),
  running boolean NOT NULL,
  success boolean NOT NULL,
  event_count integer NOT NULL CHECK (event_count >= 0),
  errors jsonb NOT NULL,
  summary jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (running = (finished_at IS NULL))
);
CREATE INDEX epcis_capture_enterprise_idx ON epcis_capture (enterprise_id, seq);

-- A job changes once, from running to finished; then never again.
CREATE FUNCTION epcis_capture_finish_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NOT OLD.running THEN
    RAISE EXCEPTION 'a finished capture job is never changed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER epcis_capture_finish_once BEFORE UPDATE OR DELETE ON epcis_capture
  FOR EACH ROW EXECUTE FUNCTION epcis_capture_finish_once();

-- One captured event. `document` is the event as captured (minus recordTime, which the repository sets);
-- `context` the @context of the document it came in, so a query answer can say what its prefixes mean.
-- The other columns are what the query parameters filter on: the CBV values normalised to bare words,
-- EPCs and EPC classes in arrays with GIN indexes. `id` orders the repository (record order) and pages it.
-- event_id is the EPCIS eventID (or a content hash when the event had none): unique per enterprise, so a
-- replayed capture finds its events already there.
CREATE TABLE epcis_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  enterprise_id uuid NOT NULL REFERENCES enterprise (id),
  event_id text NOT NULL,
  capture_id uuid NOT NULL REFERENCES epcis_capture (id),
  event_type text NOT NULL,
  event_time timestamptz NOT NULL,
  record_time timestamptz NOT NULL DEFAULT now(),
  action text,
  biz_step text,
  disposition text,
  epcs text[] NOT NULL,
  other_epcs text[] NOT NULL,
  epc_classes text[] NOT NULL,
  other_epc_classes text[] NOT NULL,
  content_sm3 text NOT NULL,
  document jsonb NOT NULL,
  context jsonb NOT NULL,
  UNIQUE (enterprise_id, event_id)
);
CREATE INDEX epcis_event_enterprise_idx ON epcis_event (enterprise_id, id);
CREATE INDEX epcis_event_time_idx ON epcis_event (event_time);
CREATE INDEX epcis_event_event_id_idx ON epcis_event (event_id);
CREATE INDEX epcis_event_epcs_idx ON epcis_event USING gin (epcs);
CREATE INDEX epcis_event_other_epcs_idx ON epcis_event USING gin (other_epcs);
CREATE INDEX epcis_event_epc_classes_idx ON epcis_event USING gin (epc_classes);
CREATE INDEX epcis_event_other_epc_classes_idx ON epcis_event USING gin (other_epc_classes);
CREATE TRIGGER epcis_event_append_only BEFORE UPDATE OR DELETE ON epcis_event
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER epcis_event_no_truncate BEFORE TRUNCATE ON epcis_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
