import type { ReportDraft, ReportSubmitBody, ReportView } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai, todayInShanghai } from '../../shared/clock.ts';
import { conflict, forbidden, invalid, invalidField, notFound } from '../../shared/errors.ts';
import type { Sealer } from '../../shared/signing.ts';
import { idempotentWrite, refuseChangedReplay } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { monthlyProduction } from '../flows/index.ts';
import { enterpriseQuota } from '../ledger/ledger.service.ts';
import { getEnterprise } from '../registry/index.ts';
import { documentFacts, recordReturn, returnView } from './documents.service.ts';
import * as repo from './reporting.repository.ts';
import { figureProblems, lineFacts, parsePeriod, periodLabel, reportLine, type Period } from './reporting.rules.ts';
import { deadlines } from './reporting.tree.ts';
import { signatureView, signContent } from './signing.service.ts';

/** Enterprise implementation reports (Art. 9): pre-filled from flows and ledger, signed, frozen, versioned. */

/** The figures of an enterprise's report as the flows and the ledger give them, one line per category. */
export async function reportFacts(db: Executor, enterpriseId: string, period: Period, today = todayInShanghai()) {
  const [production, quota, earlierReports] = await Promise.all([
    monthlyProduction(db, `${period.year}-01-01`, `${period.year}-12-01`, [enterpriseId]),
    enterpriseQuota(db, enterpriseId, period.year, today),
    period.kind === 'month' ? repo.monthReportsOfYear(db, enterpriseId, period.year) : [],
  ]);
  return lineFacts(period, production, quota.lines, earlierReports);
}

async function viewsOf(
  db: Executor,
  rows: readonly repo.ReportRow[],
  names: Map<string, string>,
): Promise<ReportView[]> {
  const deadlineOf = await deadlines(db);
  const { returns, keys, successors } = await documentFacts(db, 'report', rows);
  return rows.map((row) => {
    const period = parsePeriod(periodLabel(row.period_kind, row.period));
    const returned = returns.get(row.id);
    return {
      id: row.id,
      enterprise_id: row.enterprise_id,
      enterprise_name: names.get(row.enterprise_id) ?? '',
      domicile_code: row.domicile_code,
      period: period.label,
      period_kind: row.period_kind,
      version: row.version,
      replaces: row.replaces_id,
      lines: row.lines,
      late: row.late,
      deadline: deadlineOf('enterprise', period).toISOString(),
      submitted_by: row.submitted_by,
      submitted_at: row.submitted_at.toISOString(),
      signature: signatureView(row, keys.get(row.signer)),
      returned: returnView(returned),
      superseded_by: successors.get(row.id) ?? null,
    };
  });
}

export async function reportViews(db: Executor, rows: readonly repo.ReportRow[], names: Map<string, string>) {
  return viewsOf(db, rows, names);
}

function assertEnded(period: Period, now: Date, what: string): void {
  if (now.getTime() < period.end.getTime())
    throw invalidField(
      'period',
      `${period.label} has not ended yet (Beijing time): ${what} from ${dateInShanghai(period.end)}`,
    );
}

export async function reportDraft(
  db: Executor,
  actor: Actor,
  enterpriseId: string,
  label: string,
  now = new Date(),
): Promise<ReportDraft> {
  const enterprise = await getEnterprise(db, actor, enterpriseId);
  const period = parsePeriod(label);
  const facts = await reportFacts(db, enterpriseId, period, dateInShanghai(now));
  const versions = await repo.reportsOf(db, [enterpriseId], period.kind, period.first);
  const latest = versions.at(-1);
  const [latestView] = latest ? await viewsOf(db, [latest], new Map([[enterpriseId, enterprise.name]])) : [];
  return {
    enterprise_id: enterpriseId,
    enterprise_name: enterprise.name,
    period: period.label,
    period_kind: period.kind,
    deadline: (await deadlines(db))('enterprise', period).toISOString(),
    lines: facts.map((fact) => {
      const reported = latest?.lines.find((line) => line.category === fact.category);
      return reportLine(
        fact,
        reported
          ? { production_reo_kg: reported.production_reo_kg, explanation: reported.explanation ?? undefined }
          : undefined,
        period.kind,
      );
    }),
    latest: latestView ?? null,
  };
}

/**
 * Submits (signs and freezes) a report. A first version must not name one it replaces; a later one must name the
 * latest version. The same idempotency key again returns the stored report.
 */
export async function submitReport(
  db: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  body: ReportSubmitBody,
  now = new Date(),
): Promise<{ report: ReportView; replayed: boolean }> {
  if (!actor.enterpriseId) throw forbidden('Only an enterprise submits its implementation report.');
  const enterpriseId = actor.enterpriseId;
  const enterprise = await getEnterprise(db, actor, enterpriseId);
  const names = new Map([[enterpriseId, enterprise.name]]);
  const period = parsePeriod(body.period);
  const result = await idempotentWrite(
    db,
    { scope: 'report.submit', owner: enterpriseId, key: body.idempotency_key },
    {
      replay: async (tx) => {
        const replay = await repo.reportByKey(tx, enterpriseId, body.idempotency_key);
        if (!replay) return undefined;
        refuseChangedReplay(
          { period: periodLabel(replay.period_kind, replay.period), replaces: replay.replaces_id },
          { period: period.label, replaces: body.replaces },
        );
        return (await viewsOf(tx, [replay], names))[0]!;
      },
      write: (tx) => storeReport(tx, sealer, actor, audit, { enterprise, period, names }, body, now),
    },
  );
  return { report: result.value, replayed: result.replayed };
}

/** Signs and stores the next version of an enterprise's report for an ended period, under the period's lock. */
async function storeReport(
  tx: Executor,
  sealer: Sealer,
  actor: Actor,
  audit: AuditContext,
  target: {
    enterprise: { id: string; domicile_code: string };
    period: ReturnType<typeof parsePeriod>;
    names: Map<string, string>;
  },
  body: ReportSubmitBody,
  now: Date,
): Promise<ReportView> {
  const { enterprise, period, names } = target;
  const enterpriseId = enterprise.id;
  assertEnded(period, now, 'it can be reported');
  await repo.lockSubject(tx, `report:${enterpriseId}:${period.kind}:${period.first}`);
  const versions = await repo.reportsOf(tx, [enterpriseId], period.kind, period.first);
  const latest = versions.at(-1);
  if (latest && body.replaces !== latest.id)
    throw conflict(
      `Your ${period.label} report is in already (version ${latest.version}): a correction names it in "replaces".`,
      [{ field: 'replaces', message: `must be ${latest.id}, the latest version` }],
    );
  if (!latest && body.replaces) throw invalidField('replaces', `there is no ${period.label} report to replace yet`);
  const facts = await reportFacts(tx, enterpriseId, period, dateInShanghai(now));
  const lines = facts.map((fact) =>
    reportLine(
      fact,
      body.figures.find((figure) => figure.category === fact.category),
      period.kind,
    ),
  );
  const problems = figureProblems(lines, body.figures);
  if (problems.length > 0) throw invalid(`The ${period.label} report cannot be submitted as it stands.`, problems);
  const deadline = (await deadlines(tx))('enterprise', period);
  const content = {
    enterprise_id: enterpriseId,
    period: period.label,
    version: (latest?.version ?? 0) + 1,
    replaces: latest?.id ?? null,
    lines,
    submitted_by: actor.login,
    submitted_at: now.toISOString(),
  };
  const signed = await signContent(tx, sealer, `enterprise:${enterpriseId}`, content);
  const row = await repo.insertReport(tx, {
    enterprise_id: enterpriseId,
    domicile_code: enterprise.domicile_code,
    period_kind: period.kind,
    period: period.first,
    version: content.version,
    replaces_id: content.replaces,
    idempotency_key: body.idempotency_key,
    lines: JSON.stringify(lines),
    late: (versions[0]?.submitted_at ?? now).getTime() > deadline.getTime(),
    ...signed,
    submitted_by: actor.login,
    submitted_at: now,
  });
  await recordAudit(tx, audit, {
    action: 'report.submit',
    objectType: 'report',
    objectId: row.id,
    after: { ...content, content_sm3: signed.content_sm3 },
  });
  return (await viewsOf(tx, [row], names))[0]!;
}

/** A report the actor may see, or 404. */
export async function visibleReport(db: Executor, actor: Actor, id: string) {
  const row = await repo.reportById(db, id);
  if (!row) throw notFound(`Report ${id}`);
  const enterprise = await getEnterprise(db, actor, row.enterprise_id).catch(() => null);
  if (!enterprise) throw notFound(`Report ${id}`);
  return { row, enterprise };
}

export async function getReport(db: Executor, actor: Actor, id: string): Promise<ReportView> {
  const { row, enterprise } = await visibleReport(db, actor, id);
  return (await viewsOf(db, [row], new Map([[row.enterprise_id, enterprise.name]])))[0]!;
}

/** Every version of one enterprise's reports of a year (months and the year), newest period first. */
export async function enterpriseReports(db: Executor, actor: Actor, enterpriseId: string, year: number) {
  const enterprise = await getEnterprise(db, actor, enterpriseId);
  const rows = [
    ...(await repo.monthReportsOfYear(db, enterpriseId, year)),
    ...(await repo.reportsOf(db, [enterpriseId], 'year', `${year}-01-01`)),
  ];
  return viewsOf(db, rows, new Map([[enterpriseId, enterprise.name]]));
}

/**
 * The county (the division of the enterprise's domicile) sends a report back for correction with a reason.
 * Only the latest version can be returned, once; the enterprise answers with a new version.
 */
export async function returnReport(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  reason: string,
  now = new Date(),
): Promise<ReportView> {
  const { row, enterprise } = await visibleReport(db, actor, id);
  const scope = scopeOf(actor);
  const department = actor.department === 'industry_it' || actor.department === 'natural_resources';
  // The county of the enterprise's domicile now (the one that compiles it), not when the report was made.
  if (scope.kind !== 'division' || scope.divisionCode !== enterprise.domicile_code || !department)
    throw forbidden(
      `Reports are reviewed by the industry & IT or natural resources department of ${enterprise.domicile_code}, where the enterprise is domiciled.`,
    );
  return db.transaction().execute(async (tx) => {
    await repo.lockSubject(tx, `report:${row.enterprise_id}:${row.period_kind}:${row.period}`);
    const versions = await repo.reportsOf(tx, [row.enterprise_id], row.period_kind, row.period);
    if (versions.at(-1)?.id !== row.id)
      throw conflict(`Version ${row.version} has been replaced already: only the latest version can be returned.`);
    await recordReturn(tx, audit, actor, { type: 'report', id: row.id, version: row.version }, reason, now);
    return (await viewsOf(tx, [row], new Map([[row.enterprise_id, enterprise.name]])))[0]!;
  });
}
