-- The provincial annual supervision report (Art. 12 ¶3): by the end of December each year, the industry & IT and
-- natural resources departments of a province report the overall supervision and inspection of the total control
-- indicators within their region to MIIT and MNR. The report is generated from the year's records; what is
-- submitted is frozen here as its canonical JSON with the SM3 digest and the province's SM2 signature. A
-- correction is a new version naming the one it replaces; rows are never changed.

CREATE TABLE supervision_annual_report (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- A province-level division (PP0000).
  province_code text NOT NULL CHECK (province_code ~ '^[0-9]{2}0000$' AND province_code <> '000000'),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  version integer NOT NULL CHECK (version >= 1),
  replaces_id uuid,
  -- The report as generated at submission (canonical JSON), its SM3 and the signature over it.
  content jsonb NOT NULL,
  content_sm3 text NOT NULL CHECK (content_sm3 ~ '^[0-9a-f]{64}$'),
  signature text NOT NULL,
  signer text NOT NULL,
  comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  -- Judged by the first version against 31 December, 23:59:59.999 Beijing time.
  deadline timestamptz NOT NULL,
  late boolean NOT NULL,
  department text NOT NULL CHECK (department IN ('industry_it', 'natural_resources')),
  submitted_by text NOT NULL,
  submitted_at timestamptz NOT NULL,
  idempotency_key text NOT NULL,
  UNIQUE (province_code, year, version),
  -- A key is the submitter's own: another official's request is never replayed as theirs.
  UNIQUE (province_code, year, submitted_by, idempotency_key),
  -- A version is replaced at most once, and only a first version replaces none.
  UNIQUE (replaces_id),
  CHECK ((version = 1) = (replaces_id IS NULL)),
  -- …and what it replaces is a version of the same province and year.
  UNIQUE (id, province_code, year),
  FOREIGN KEY (replaces_id, province_code, year) REFERENCES supervision_annual_report (id, province_code, year)
);
CREATE INDEX supervision_annual_report_year_idx ON supervision_annual_report (year, province_code, version);
CREATE TRIGGER supervision_annual_report_append_only BEFORE UPDATE OR DELETE ON supervision_annual_report
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
