import type {
  RiskAnomalyRule,
  RiskItem,
  RiskView,
  RiskWeights,
  RiskWeightsBody,
  RiskWeightsView,
} from '../../../contracts/supervision-risk.ts';
import { riskAnomalyRules } from '../../../contracts/supervision-risk.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { conflict, forbidden, invalid, invalidField, notFound, type FieldError } from '../../shared/errors.ts';
import { groupBy } from '../../shared/group-by.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { divisionPrefix, isWithinDivision, type Actor } from '../auth/index.ts';
import { deadlineOf as declarationDeadline, sealsOf } from '../flows/index.ts';
import { elapsedShareOfYearPpm } from '../ledger/ledger.rules.ts';
import { enterpriseQuotaLinesOfYear } from '../ledger/ledger.service.ts';
import { parsePeriod } from '../reporting/reporting.rules.ts';
import { divisionsWithAncestors } from '../registry/index.ts';
import { deadlines, rootOf } from '../reporting/reporting.tree.ts';
import { finalPenaltiesByEnterprise } from './penalties.service.ts';
import * as repo from './risk.repository.ts';
import {
  defaultRiskWeights,
  divisionChain,
  filingCounts,
  NATION_CODE,
  rankByScore,
  scoreEnterprise,
  weightProblems,
  weightsInForce,
  type FilingMonth,
  type RiskFacts,
} from './risk.rules.ts';
import { assertWriter } from './supervision.shared.ts';

/**
 * The risk-ranked inspection list (Art. 12): every designated enterprise of a jurisdiction scored from its open
 * anomalies, late and missing filings, utilisation ahead of the year, differences from the flow records and past
 * violations, under the weights in force at the division asked about (docs/supervision.md, "Risk-ranked list").
 */

/** The nation, or a division of the GB/T 2260 register. */
async function divisionKnown(db: Executor, code: string): Promise<boolean> {
  return code === NATION_CODE || (await divisionsWithAncestors(db, [code])).some((row) => row.code === code);
}

/** A division the actor may read: outside the jurisdiction 403 (by the code alone), unknown 404. */
async function visibleCode(db: Executor, actor: Actor, code: string | undefined): Promise<string> {
  const root = rootOf(actor);
  const wanted = code ?? root;
  if (root !== NATION_CODE && (wanted === NATION_CODE || !isWithinDivision(root, wanted)))
    throw forbidden(`Division ${wanted} is outside your jurisdiction.`);
  if (!(await divisionKnown(db, wanted))) throw notFound(`Division ${wanted}`);
  return wanted;
}

/** Stored weights, completed with the defaults for any weight added since they were set. */
function completed(stored: Partial<RiskWeights>): RiskWeights {
  return { ...defaultRiskWeights, ...stored, anomaly: { ...defaultRiskWeights.anomaly, ...stored.anomaly } };
}

async function weightsView(db: Executor, code: string): Promise<RiskWeightsView> {
  const rows = await repo.weightsOf(db, divisionChain(code));
  const inForce = weightsInForce(code, rows);
  const own = rows.filter((row) => row.division_code === code).reduce((max, row) => Math.max(max, row.version), 0);
  return {
    division_code: code,
    source: !inForce ? 'default' : inForce.division_code === code ? 'own' : 'inherited',
    source_division_code: inForce?.division_code ?? null,
    source_version: inForce?.version ?? 0,
    own_version: own,
    weights: inForce ? completed(inForce.weights) : defaultRiskWeights,
    note: inForce?.note ?? '',
    set_by: inForce?.set_by ?? null,
    set_at: inForce?.set_at.toISOString() ?? null,
  };
}

export async function getRiskWeights(db: Executor, actor: Actor, code: string | undefined): Promise<RiskWeightsView> {
  return weightsView(db, await visibleCode(db, actor, code));
}

/**
 * Sets a division's weights as a new version, for the caller's own division or one below it (the ministries: any,
 * and the nation). Checked against the version the official read; audited in the same transaction.
 */
export async function setRiskWeights(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  body: RiskWeightsBody,
): Promise<RiskWeightsView> {
  const code = body.division_code;
  // A division's weights are either department's, at that division or above (the ministries: any, and the nation).
  assertWriter(actor, { division_code: code, department: null }, 'line', `Setting the risk weights of ${code}`);
  const problems: FieldError[] = weightProblems(body.weights);
  if (!(await divisionKnown(db, code)))
    problems.unshift({ field: 'division_code', message: `${code} is not a division of the GB/T 2260 register` });
  if (problems.length > 0) throw invalid('The risk weights cannot be set as they stand.', problems);
  await db.transaction().execute(async (tx) => {
    await repo.lockDivisionWeights(tx, code);
    const current = await repo.newestVersion(tx, code);
    if (current !== body.expected_version)
      throw conflict(`The weights of ${code} changed since you read them (version ${current}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the weights of ${code} are at ${current}` },
      ]);
    const before = (await repo.weightsOf(tx, [code])).at(-1);
    await repo.insertWeights(tx, {
      division_code: code,
      version: current + 1,
      weights: JSON.stringify(body.weights),
      note: body.note,
      set_by: actor.login,
    });
    await recordAudit(tx, audit, {
      action: 'risk_weights.set',
      objectType: 'risk_weight',
      objectId: code,
      before: before ? { version: before.version, weights: before.weights } : null,
      after: { version: current + 1, weights: body.weights, note: body.note },
    });
  });
  return weightsView(db, code);
}

const lastDayOfMonth = (year: number, month: number): string =>
  new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);

function designatedOn(rows: readonly repo.DesignatedRow[], date: string): boolean {
  return rows.some((row) => row.effective_on <= date && (row.revoked_on === null || row.revoked_on > date));
}

/** The facts of every enterprise designated under `code` on `reference`, read set-based. */
async function gatherFacts(
  db: Executor,
  code: string,
  year: number,
  weights: Pick<RiskWeights, 'lookback_years' | 'filing_months'>,
  now: Date,
): Promise<{ facts: RiskFacts[]; domicile: Map<string, string>; elapsedPpm: number }> {
  const lookbackYears = weights.lookback_years;
  const today = dateInShanghai(now);
  const yearEnd = `${year}-12-31`;
  const reference = today < yearEnd ? today : yearEnd;
  const prefix = code === NATION_CODE ? null : divisionPrefix(code);
  const designations = groupBy(await repo.designationsUnder(db, prefix, `${year}-01-01`, yearEnd), (row) => row.id);
  const enterprises = [...designations.values()]
    .filter((rows) => designatedOn(rows, reference))
    .map((rows) => rows[0]!);
  const ids = enterprises.map((enterprise) => enterprise.id);
  const periods = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}-01`);
  const sinceYear = year - lookbackYears;
  const penaltyYears = Array.from({ length: lookbackYears + 1 }, (_, index) => sinceYear + index);
  const [anomalies, seals, reports, deadlineOf, quota, violations, penalties] = await Promise.all([
    repo.openAnomalyCounts(db, ids, year),
    sealsOf(db, ids, periods),
    repo.firstMonthReports(db, ids, year),
    deadlines(db),
    enterpriseQuotaLinesOfYear(db, year, ids),
    repo.violationCounts(db, ids, `${sinceYear}-01-01`, yearEnd),
    Promise.all(penaltyYears.map((penaltyYear) => finalPenaltiesByEnterprise(db, penaltyYear))),
  ]);
  const elapsedPpm = elapsedShareOfYearPpm(year, today);
  const anomaliesOf = groupBy(anomalies, (row) => row.enterprise_id);
  const firstSeal = new Map(
    seals.filter((row) => row.version === 1).map((row) => [`${row.enterprise_id}:${row.period}`, row]),
  );
  const firstReport = new Map(reports.map((row) => [`${row.enterprise_id}:${row.period}`, row]));
  const violationsOf = new Map(violations.map((row) => [row.enterprise_id, row.count]));
  const facts = enterprises.map((enterprise): RiskFacts => {
    const months: FilingMonth[] = periods.map((period, index) => ({
      period,
      declarationDeadline: declarationDeadline(period),
      reportDeadline: deadlineOf('enterprise', parsePeriod(period.slice(0, 7))),
      owed: designatedOn(designations.get(enterprise.id)!, lastDayOfMonth(year, index + 1)),
    }));
    const own = (map: Map<string, { late: boolean }>) =>
      new Map(
        periods.flatMap((period) => {
          const row = map.get(`${enterprise.id}:${period}`);
          return row ? [[period, row] as const] : [];
        }),
      );
    const filings = filingCounts(months, own(firstSeal), own(firstReport), now, weights.filing_months);
    const counts = new Map((anomaliesOf.get(enterprise.id) ?? []).map((row) => [row.rule, row.count]));
    return {
      enterprise_id: enterprise.id,
      enterprise_name: enterprise.name,
      anomaly_ids: Object.fromEntries((anomaliesOf.get(enterprise.id) ?? []).map((row) => [row.rule, row.ids])),
      open_anomalies: Object.fromEntries(
        riskAnomalyRules.map((rule): [RiskAnomalyRule, number] => [rule, counts.get(rule) ?? 0]),
      ),
      late_filings: filings.late,
      missing_filings: filings.missing,
      utilisation: (quota.get(enterprise.id) ?? []).map((line) => ({
        category: line.category,
        utilisation_ppm: line.utilisation_ppm,
      })),
      elapsed_ppm: elapsedPpm,
      differences: {
        report_vs_flows: counts.get('report_vs_flows') ?? 0,
        ledger_vs_flows: counts.get('ledger_vs_flows') ?? 0,
      },
      past_violations: violationsOf.get(enterprise.id) ?? 0,
      final_penalties: penalties.reduce(
        (total, byEnterprise) => total + (byEnterprise.get(enterprise.id)?.length ?? 0),
        0,
      ),
      since_year: sinceYear,
    };
  });
  return { facts, domicile: new Map(enterprises.map((row) => [row.id, row.domicile_code])), elapsedPpm };
}

/** The list for a year and a division the caller may read (its own jurisdiction by default). */
export async function riskList(
  db: Executor,
  actor: Actor,
  query: { year: number; division?: string | undefined },
  now: Date,
): Promise<RiskView> {
  const code = await visibleCode(db, actor, query.division);
  const thisYear = Number(dateInShanghai(now).slice(0, 4));
  if (query.year > thisYear)
    throw invalidField('querystring.year', `${query.year} has not begun (Beijing time): there is nothing to rank yet`);
  const weights = await weightsView(db, code);
  const { facts, domicile, elapsedPpm } = await gatherFacts(db, code, query.year, weights.weights, now);
  const scored = facts.map((item) => ({ ...item, ...scoreEnterprise(item, weights.weights) }));
  const inspections = new Map(
    (
      await repo.inspectionsOfYear(
        db,
        scored.map((item) => item.enterprise_id),
        query.year,
      )
    ).map((row) => [row.enterprise_id, row]),
  );
  const items = rankByScore(scored).map(({ rank, item }): RiskItem => {
    const inspection = inspections.get(item.enterprise_id);
    return {
      rank,
      enterprise_id: item.enterprise_id,
      enterprise_name: item.enterprise_name,
      domicile_code: domicile.get(item.enterprise_id) ?? '',
      score: item.score,
      reasons: item.reasons,
      inspection: inspection
        ? {
            id: inspection.id,
            status: inspection.status,
            planned_on: inspection.planned_on,
            visited_on: inspection.visited_on,
          }
        : null,
      inspection_open: inspection?.open ?? false,
    };
  });
  return {
    year: query.year,
    division_code: code,
    as_of: now.toISOString(),
    elapsed_ppm: elapsedPpm,
    weights,
    items,
  };
}
