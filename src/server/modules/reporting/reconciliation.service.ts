import type { ReconciliationView } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import type { Actor } from '../auth/index.ts';
import { recordAnomalies, type NewAnomaly } from '../checks/index.ts';
import * as repo from './reporting.repository.ts';
import { beyondTolerance, lineFacts, parsePeriod, type Period } from './reporting.rules.ts';
import { monthlyProduction } from '../flows/index.ts';
import { enterpriseQuotaLinesOfYear } from '../ledger/ledger.service.ts';
import {
  enterprisesUnder,
  reportingTree,
  rootOf,
  visibleDivision,
  type ReportingTree,
  type TreeEnterprise,
} from './reporting.tree.ts';

/**
 * Reconciliation (Art. 9 against Arts. 8 and 10): what was reported, what the flow records give now, and what
 * the quota ledger consumed, side by side at every level. Differences beyond tolerance become anomalies beside
 * those of the flow checks.
 */

/** A difference is tolerated up to 0.1% of the larger figure, and never below 1 kg (rounding of whole kg). */
export const RECONCILIATION_TOLERANCE_PPM = 1_000;
export const RECONCILIATION_TOLERANCE_MIN_KG = 1;

interface EnterpriseFigures {
  enterprise: TreeEnterprise;
  category: ReconciliationView['rows'][number]['category'];
  reported: number | null;
  reportedCumulative: number | null;
  flow: number;
  flowCumulative: number;
  flowYear: number;
  ledger: number;
}

/** Every enterprise's figures in three set-based reads: reports, the year's production, the year's quota lines. */
async function enterpriseFigures(db: Executor, enterprises: readonly TreeEnterprise[], period: Period) {
  const ids = enterprises.map((enterprise) => enterprise.id);
  const [reports, production, quota] = await Promise.all([
    repo.reportsOf(db, ids, period.kind, period.first),
    monthlyProduction(db, `${period.year}-01-01`, `${period.year}-12-01`, ids),
    enterpriseQuotaLinesOfYear(db, period.year, ids),
  ]);
  const figures: EnterpriseFigures[] = [];
  for (const enterprise of enterprises) {
    const latest = reports.filter((row) => row.enterprise_id === enterprise.id).at(-1);
    const own = production.filter((row) => row.enterprise_id === enterprise.id);
    // Earlier months' reports only shape a report's cumulative figure, which reconciliation does not set against.
    for (const fact of lineFacts(period, own, quota.get(enterprise.id) ?? [], [])) {
      const line = latest?.lines.find((candidate) => candidate.category === fact.category);
      figures.push({
        enterprise,
        category: fact.category,
        reported: latest ? (line?.production_reo_kg ?? 0) : null,
        reportedCumulative: latest ? (line?.cumulative_reo_kg ?? 0) : null,
        flow: fact.flowReoKg,
        flowCumulative: fact.flowCumulativeReoKg,
        // The ledger holds the year so far: compare it with the flows of the year so far, whatever the period.
        flowYear: fact.flowYearReoKg,
        ledger: fact.ledgerConsumedReoKg,
      });
    }
  }
  return figures;
}

function row(
  code: string,
  name: string,
  kind: 'enterprise' | 'division',
  list: readonly EnterpriseFigures[],
): ReconciliationView['rows'][number] {
  const first = list[0]!;
  const sum = (pick: (item: EnterpriseFigures) => number) => list.reduce((total, item) => total + pick(item), 0);
  const anyReported = list.some((item) => item.reported !== null);
  const reported = anyReported ? sum((item) => item.reported ?? 0) : null;
  const flow = sum((item) => item.flow);
  const ledger = sum((item) => item.ledger);
  const flowYear = sum((item) => item.flowYear);
  const tolerated = (a: number, b: number) =>
    !beyondTolerance(a, b, RECONCILIATION_TOLERANCE_PPM, RECONCILIATION_TOLERANCE_MIN_KG);
  return {
    code,
    name,
    kind,
    category: first.category,
    reported_reo_kg: reported,
    flow_reo_kg: flow,
    reported_cumulative_reo_kg: anyReported ? sum((item) => item.reportedCumulative ?? 0) : null,
    flow_cumulative_reo_kg: sum((item) => item.flowCumulative),
    ledger_consumed_reo_kg: ledger,
    flow_year_reo_kg: flowYear,
    report_vs_flow_reo_kg: reported === null ? null : reported - flow,
    ledger_vs_flow_reo_kg: ledger - flowYear,
    beyond_tolerance: (reported !== null && !tolerated(reported, flow)) || !tolerated(ledger, flowYear),
  };
}

/** One row per child (enterprise or division) and category under a division. */
export async function reconciliation(
  db: Executor,
  actor: Actor,
  label: string,
  code: string | undefined,
): Promise<ReconciliationView> {
  const period = parsePeriod(label);
  const tree = await reportingTree(db, period);
  const node = visibleDivision(tree, actor, code ?? rootOf(actor));
  const figures = await enterpriseFigures(db, enterprisesUnder(tree, node.code), period);
  const rows: ReconciliationView['rows'] = [];
  const byCategory = (list: readonly EnterpriseFigures[]) => {
    const map = new Map<string, EnterpriseFigures[]>();
    for (const item of list) map.set(item.category, [...(map.get(item.category) ?? []), item]);
    return [...map.values()].sort((a, b) => a[0]!.category.localeCompare(b[0]!.category));
  };
  for (const child of node.divisions) {
    const under = new Set(enterprisesUnder(tree, child).map((enterprise) => enterprise.id));
    for (const list of byCategory(figures.filter((item) => under.has(item.enterprise.id))))
      rows.push(row(child, tree.divisions.get(child)!.name, 'division', list));
  }
  for (const enterprise of node.enterprises)
    for (const list of byCategory(figures.filter((item) => item.enterprise.id === enterprise.id)))
      rows.push(row(enterprise.id, enterprise.name, 'enterprise', list));
  return {
    period: period.label,
    division_code: node.code,
    tolerance_ppm: RECONCILIATION_TOLERANCE_PPM,
    tolerance_min_kg: RECONCILIATION_TOLERANCE_MIN_KG,
    rows,
  };
}

/**
 * Records the differences beyond tolerance of every enterprise in the country as anomalies: reported ≠ flows
 * (`report_vs_flows`, for enterprises that reported) and ledger ≠ flows (`ledger_vs_flows`, for the year).
 */
export async function reconcileToAnomalies(db: Executor, label: string) {
  const period = parsePeriod(label);
  const tree: ReportingTree = await reportingTree(db, period);
  const figures = await enterpriseFigures(db, [...tree.enterprises.values()], period);
  const anomalyPeriod = period.kind === 'year' ? `${period.year}-12-01` : period.first;
  const found: NewAnomaly[] = [];
  for (const item of figures) {
    const base = { enterprise_id: item.enterprise.id, period: anomalyPeriod, product_code: null, evidence: [] };
    if (
      item.reported !== null &&
      beyondTolerance(item.reported, item.flow, RECONCILIATION_TOLERANCE_PPM, RECONCILIATION_TOLERANCE_MIN_KG)
    )
      found.push({
        ...base,
        key: `report_vs_flows:${item.enterprise.id}:${period.label}:${item.category}`,
        rule: 'report_vs_flows',
        summary: `${item.category}: the ${period.label} report says ${item.reported} kg REO, the flow records give ${item.flow} kg REO (${item.reported - item.flow} kg)`,
        details: {
          category: item.category,
          period: period.label,
          reported_reo_kg: item.reported,
          flow_reo_kg: item.flow,
        },
      });
    if (beyondTolerance(item.ledger, item.flowYear, RECONCILIATION_TOLERANCE_PPM, RECONCILIATION_TOLERANCE_MIN_KG))
      found.push({
        ...base,
        key: `ledger_vs_flows:${item.enterprise.id}:${period.year}:${item.category}:${item.ledger}:${item.flowYear}`,
        rule: 'ledger_vs_flows',
        summary: `${item.category}: the quota ledger consumed ${item.ledger} kg REO in ${period.year}, the flow records give ${item.flowYear} kg REO`,
        details: {
          category: item.category,
          year: period.year,
          ledger_consumed_reo_kg: item.ledger,
          flow_year_reo_kg: item.flowYear,
        },
      });
  }
  const fresh = await recordAnomalies(db, found);
  return { period: period.label, anomalies_found: found.length, anomalies_new: fresh };
}
