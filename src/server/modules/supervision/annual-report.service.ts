import type {
  AnnualReportContent,
  AnnualReportSubmitBody,
  AnnualReportView,
} from '../../../contracts/supervision-annual.ts';
import type { Executor } from '../../db/executor.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { conflict, forbidden, invalidField, notFound } from '../../shared/errors.ts';
import type { Sealer } from '../../shared/signing.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { monthlyProduction } from '../flows/index.ts';
import { enterpriseQuotaLinesOfYear } from '../ledger/ledger.service.ts';
import { publicKeys } from '../reporting/reporting.repository.ts';
import { signatureView, signContent } from '../reporting/signing.service.ts';
import * as repo from './annual-report.repository.ts';
import { assertWriter } from './supervision.shared.ts';
import {
  ADDRESSEES,
  annualDeadline,
  annualStatus,
  assembleAnnualReport,
  submissionOpens,
} from './annual-report.rules.ts';

/**
 * The provincial annual supervision report (Art. 12 ¶3): generated from the year's records of the province's
 * enterprises, read by the province's own officials and by the ministries and oversight, submitted (frozen and
 * signed with the province's key) by its industry & IT or natural resources department to MIIT and MNR, and
 * corrected by new versions.
 */

/** Taiwan, Hong Kong and Macau are in the division register but outside the Measures' total quantity control. */
const OUTSIDE_CONTROL = new Set(['710000', '810000', '820000']);

type Province = { readonly code: string; readonly name: string };

/** Who reads a province's report: the ministries and oversight, and that province's own officials. */
function assertReader(actor: Actor, provinceCode: string): void {
  if (actor.role === 'ministry_official' || actor.role === 'oversight') return;
  if (actor.role === 'department_official' && actor.divisionCode === provinceCode) return;
  if (actor.role === 'department_official' && actor.divisionCode?.slice(0, 2) === provinceCode.slice(0, 2))
    throw forbidden(
      'The annual supervision report is the province’s report to the ministries: prefecture and county officials do not read it.',
    );
  throw forbidden(`The annual supervision report of ${provinceCode} is not yours to read.`);
}

/** Who submits: the province's own industry & IT or natural resources department (Art. 12 ¶3), not a ministry. */
function assertSubmitter(actor: Actor, provinceCode: string): 'industry_it' | 'natural_resources' {
  const owner = { division_code: provinceCode, department: null };
  return assertWriter(actor, owner, 'owner', `The annual supervision report of ${provinceCode}`).department;
}

async function provinceOf(db: Executor, code: string): Promise<Province> {
  const row = await repo.provinceByCode(db, code);
  if (!row || OUTSIDE_CONTROL.has(code))
    throw invalidField('params.province', `${code} is not a province-level division under total quantity control`);
  return row;
}

function assertYear(field: string, year: number, now: Date): void {
  const current = Number(dateInShanghai(now).slice(0, 4));
  if (year > current) throw invalidField(field, `${year} has not begun (Beijing time): there are no records to report`);
}

/** The report as the records give it now. */
export async function generateAnnualReport(
  db: Executor,
  province: Province,
  year: number,
  now: Date,
): Promise<AnnualReportContent> {
  const range = { prefix: province.code.slice(0, 2), from: `${year}-01-01`, to: `${year}-12-31` };
  const inspections = await repo.inspectionsOfYear(db, range);
  const violationTypes = await repo.violationTypesOfYear(db, range);
  const decisions = await repo.decisionsOfYear(db, range);
  const enterprises = await repo.designatedInYear(db, range);
  const ids = enterprises.map((enterprise) => enterprise.id);
  const production = await monthlyProduction(db, `${year}-01-01`, `${year}-12-01`, ids);
  const quota = await enterpriseQuotaLinesOfYear(db, year, ids);
  return assembleAnnualReport({
    province,
    year,
    now,
    asOf: dateInShanghai(now),
    inspections,
    violationTypes,
    decisions,
    enterprises,
    production,
    quota,
  });
}

async function viewOf(
  db: Executor,
  province: Province,
  year: number,
  rows: readonly repo.SubmissionRow[],
  shown: { row: repo.SubmissionRow } | { draft: AnnualReportContent },
  now: Date,
): Promise<AnnualReportView> {
  const first = rows[0];
  const { status, late } = annualStatus(year, first?.submitted_at ?? null, now);
  let submission: AnnualReportView['submission'] = null;
  if ('row' in shown) {
    const row = shown.row;
    const keys = await publicKeys(db, [row.signer]);
    submission = {
      id: row.id,
      version: row.version,
      replaces: row.replaces_id,
      superseded_by: rows.find((other) => other.replaces_id === row.id)?.id ?? null,
      comment: row.comment,
      late: row.late,
      department: row.department,
      submitted_by: row.submitted_by,
      submitted_at: row.submitted_at.toISOString(),
      signature: signatureView(row, keys.get(row.signer)),
    };
  }
  return {
    province_code: province.code,
    province_name: province.name,
    year,
    status,
    deadline: annualDeadline(year).toISOString(),
    late,
    addressed_to: [...ADDRESSEES],
    kind: 'row' in shown ? 'submitted' : 'draft',
    submission,
    versions: rows.map((row) => ({
      id: row.id,
      version: row.version,
      submitted_by: row.submitted_by,
      submitted_at: row.submitted_at.toISOString(),
      late: row.late,
    })),
    content: 'row' in shown ? shown.row.content : shown.draft,
  };
}

/** A province's report for a year: the version asked for, else the latest submitted, else the live draft. */
export async function getAnnualReport(
  db: Executor,
  actor: Actor,
  provinceCode: string,
  year: number,
  version: 'draft' | number | undefined,
  now: Date,
): Promise<AnnualReportView> {
  assertReader(actor, provinceCode);
  const province = await provinceOf(db, provinceCode);
  assertYear('params.year', year, now);
  const rows = await repo.submissionsOf(db, provinceCode, year);
  if (typeof version === 'number') {
    const row = rows.find((candidate) => candidate.version === version);
    if (!row) throw notFound(`Version ${version} of the ${year} annual supervision report of ${province.name}`);
    return viewOf(db, province, year, rows, { row }, now);
  }
  const latest = rows.at(-1);
  if (latest && version !== 'draft') return viewOf(db, province, year, rows, { row: latest }, now);
  return viewOf(db, province, year, rows, { draft: await generateAnnualReport(db, province, year, now) }, now);
}

/**
 * Submits the report as the records give it now: frozen (canonical JSON, SM3) and signed with the province's key.
 * `expected_version` names the latest version the official saw (0 for none): a second submission is a correction
 * of that version, with a comment; the same idempotency key again returns the stored version.
 */
export async function submitAnnualReport(
  db: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  target: { provinceCode: string; year: number },
  body: AnnualReportSubmitBody,
  now: Date,
): Promise<{ report: AnnualReportView; replayed: boolean }> {
  const { provinceCode, year } = target;
  const department = assertSubmitter(actor, provinceCode);
  const province = await provinceOf(db, provinceCode);
  assertYear('params.year', year, now);
  // A key is its submitter's own, for one province and year (the unique index of the table).
  const owner = `${provinceCode}:${year}:${actor.login}`;
  const stored = await idempotentWrite(
    db,
    { scope: 'supervision.annual_report.submit', owner, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const stored = await repo.submissionByKey(tx, provinceCode, year, actor.login, body.idempotency_key);
        if (stored)
          refuseChangedReplay(
            { expected_version: stored.version - 1, comment: stored.comment },
            { expected_version: body.expected_version, comment: body.comment },
          );
        return stored;
      },
      write: (tx) => storeSubmission(tx, sealer, actor, audit, { province, year, department }, body, now),
    },
  );
  return { report: await storedView(db, province, year, stored.value), replayed: stored.replayed };
}

/** Freezes, signs and stores the next version, under the province and year's lock. */
async function storeSubmission(
  tx: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  target: { province: Province; year: number; department: 'industry_it' | 'natural_resources' },
  body: AnnualReportSubmitBody,
  now: Date,
): Promise<repo.SubmissionRow> {
  const { province, year, department } = target;
  const provinceCode = province.code;
  if (now.getTime() < submissionOpens(year).getTime())
    throw invalidField(
      'params.year',
      `the ${year} report falls due in December: it can be submitted from ${year}-12-01 (Beijing time)`,
    );
  await repo.lockProvinceYear(tx, provinceCode, year);
  const rows = await repo.submissionsOf(tx, provinceCode, year);
  const latest = rows.at(-1);
  const current = latest?.version ?? 0;
  if (body.expected_version !== current)
    throw conflict(
      latest
        ? `Version ${current} was submitted already (by ${latest.submitted_by}): to correct it, submit with expected_version ${current} and a comment.`
        : 'Nothing has been submitted for this year yet: submit with expected_version 0.',
      [{ field: 'expected_version', message: `is ${body.expected_version}, the latest version is ${current}` }],
    );
  if (latest && body.comment.length === 0)
    throw invalidField('comment', `is required for a correction of version ${current}: say what it corrects and why`);
  const content = await generateAnnualReport(tx, province, year, now);
  const signed = await signContent(tx, sealer, `division:${provinceCode}`, content);
  const deadline = annualDeadline(year);
  const row = await repo.insertSubmission(tx, {
    province_code: provinceCode,
    year,
    version: current + 1,
    replaces_id: latest?.id ?? null,
    content: canonicalJson(content),
    ...signed,
    comment: body.comment,
    deadline,
    late: rows[0]?.late ?? now.getTime() > deadline.getTime(),
    department,
    submitted_by: actor.login,
    submitted_at: now,
    idempotency_key: body.idempotency_key,
  });
  await recordAudit(tx, audit, {
    action: 'supervision.annual_report.submit',
    objectType: 'supervision_annual_report',
    objectId: row.id,
    after: {
      province_code: provinceCode,
      year,
      version: row.version,
      replaces: row.replaces_id,
      content_sm3: row.content_sm3,
      late: row.late,
      comment: row.comment,
      addressed_to: ADDRESSEES,
    },
  });
  return row;
}

async function storedView(db: Executor, province: Province, year: number, row: repo.SubmissionRow) {
  const rows = await repo.submissionsOf(db, province.code, year);
  return viewOf(db, province, year, rows, { row }, new Date(row.submitted_at));
}

/** Where every province stands for a year (the ministries and oversight); a province's official: their own. */
export async function listAnnualReports(db: Executor, actor: Actor, year: number, now: Date) {
  const national = actor.role === 'ministry_official' || actor.role === 'oversight';
  const own = actor.role === 'department_official' && actor.divisionCode?.endsWith('0000') ? actor.divisionCode : null;
  if (!national && !own)
    throw forbidden(
      'The annual supervision reports are the provinces’ reports to the ministries: provincial officials and the ministries read them.',
    );
  assertYear('querystring.year', year, now);
  const all = (await repo.provinces(db)).filter((row) => !OUTSIDE_CONTROL.has(row.code));
  const submissions = await repo.submissionsOfYear(db, year);
  const items = all
    .filter((province) => national || province.code === own)
    .map((province) => {
      const versions = submissions.filter((row) => row.province_code === province.code);
      const latest = versions.at(-1);
      const { status, late } = annualStatus(year, versions[0]?.submitted_at ?? null, now);
      return {
        province_code: province.code,
        province_name: province.name,
        year,
        status,
        deadline: annualDeadline(year).toISOString(),
        late,
        version: latest?.version ?? null,
        report_id: latest?.id ?? null,
        submitted_by: latest?.submitted_by ?? null,
        submitted_at: latest?.submitted_at.toISOString() ?? null,
      };
    });
  return { year, deadline: annualDeadline(year).toISOString(), items };
}
