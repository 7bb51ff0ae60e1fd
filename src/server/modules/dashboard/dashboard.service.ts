import type {
  DashboardArea,
  DashboardEnterprise,
  DashboardQuery,
  DashboardView,
  OverdueReport,
} from '../../../contracts/dashboard.ts';
import { anomalyRules } from '../../../contracts/flows.ts';
import { NATION_CODE } from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { boundedMemory } from '../../shared/bounded-memory.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { latestRecordNumber } from '../audit/index.ts';
import { DomainError, forbidden, notFound } from '../../shared/errors.ts';
import { can, divisionPrefix, isWithinDivision, scopeOf, type Actor, type Scope } from '../auth/index.ts';
import { openAnomalyCountsByRule } from '../checks/index.ts';
import { monthlyProduction } from '../flows/index.ts';
import { enterpriseQuotaLinesOfYear } from '../ledger/ledger.service.ts';
import type { QuotaLine } from '../ledger/ledger.rules.ts';
import { elapsedShareOfYearPpm } from '../ledger/ledger.rules.ts';
import { divisionsWithAncestors, enterpriseFacts, type EnterpriseFacts } from '../registry/index.ts';
import { boardRows } from '../reporting/board.service.ts';
import { areaOf, figureSetOf, latestEndedMonth, productionByMonth, type DivisionNode } from './dashboard.rules.ts';
import { overdueCorrections } from '../supervision/index.ts';

/**
 * The national and jurisdiction dashboards: figures from the ledger (through the ledger module), production
 * from the flow records (flows module), anomalies (checks module), overdue reports (the reporting board),
 * names from the registry. Officials only, each within their own division; ministries and oversight the nation.
 */

interface View {
  readonly code: string;
  readonly name: string;
  readonly level: DashboardView['view']['level'];
  readonly path: { code: string; name: string }[];
  /** The enterprises (and anomalies) the view covers. */
  readonly scope: Scope;
}

const NATION_NAME = '全国';

/** The division looked into, checked against the caller's own: the nation, or one at or under theirs. */
async function viewOf(db: Executor, actor: Actor, asked: string | undefined): Promise<View> {
  const scope = scopeOf(actor);
  if (scope.kind !== 'national' && scope.kind !== 'division')
    throw forbidden('The dashboards are for officials: the ministries, local departments and oversight.');
  const root = scope.kind === 'national' ? NATION_CODE : scope.divisionCode;
  const code = asked ?? root;
  const nation = { code: NATION_CODE, name: NATION_NAME };
  if (code === NATION_CODE) {
    if (root !== NATION_CODE) throw forbidden('The national view is for the ministries and oversight.');
    return { ...nation, level: 'nation', path: [nation], scope: { kind: 'national' } };
  }
  if (root !== NATION_CODE && !isWithinDivision(root, code))
    throw forbidden(`Division ${code} is outside your jurisdiction.`);
  const rows = await divisionsWithAncestors(db, [code]);
  const division = rows.find((row) => row.code === code);
  if (!division) throw notFound(`Administrative division ${code}`);
  const byCode = new Map(rows.map((row) => [row.code, row]));
  const ancestors: { code: string; name: string }[] = [];
  for (let node = byCode.get(code); node; node = byCode.get(node.parent_code ?? '')) {
    ancestors.unshift({ code: node.code, name: node.name });
    if (node.code === root) break;
  }
  return {
    code,
    name: division.name,
    level: division.level,
    path: root === NATION_CODE ? [nation, ...ancestors] : ancestors,
    scope: { kind: 'division', divisionCode: code, prefix: divisionPrefix(code) },
  };
}

const inView = (view: View, enterprise: EnterpriseFacts) =>
  view.scope.kind === 'national' ||
  (view.scope.kind === 'division' && enterprise.domicile_code.startsWith(view.scope.prefix));

/**
 * Dashboards answered again from memory while nothing has changed: an answer is kept per official's authority, year
 * and division, with the number of the newest audit record when it was made (every write records one in its own
 * transaction) and the Beijing day; it is given again while both are the same and it is younger than `maxAgeMs`
 * (what depends on the clock alone — a deadline passing — is at most that late). One indexed max() per request,
 * instead of the aggregates. maxAgeMs 0: always computed.
 */
export function rememberedDashboards(options: { maxEntries: number; maxAgeMs: number }) {
  const remembered = boundedMemory<string, { answer: DashboardView; mark: string; madeAt: number }>(options.maxEntries);
  return async (db: Executor, actor: Actor, query: DashboardQuery, now: Date): Promise<DashboardView> => {
    if (options.maxAgeMs <= 0) return dashboard(db, actor, query, now);
    // Whose view it is: the authority decides the division and department (oversight and ministries: the nation).
    const key = [actor.role, actor.authorityId ?? '', actor.divisionCode ?? '', query.year, query.division_code ?? '']
      .map(String)
      .join('|');
    // The mark is read before the figures: a change committed between the two makes the next request compute anew.
    const mark = `${dateInShanghai(now)}|${await latestRecordNumber(db)}`;
    const entry = remembered.get(key);
    if (entry && entry.mark === mark && now.getTime() - entry.madeAt < options.maxAgeMs) return entry.answer;
    const answer = await dashboard(db, actor, query, now);
    remembered.set(key, { answer, mark, madeAt: now.getTime() });
    return answer;
  };
}

export async function dashboard(db: Executor, actor: Actor, query: DashboardQuery, now: Date): Promise<DashboardView> {
  const view = await viewOf(db, actor, query.division_code);
  const today = dateInShanghai(now);
  const { year } = query;
  const candidates = (await enterpriseFacts(db, today)).filter((enterprise) => inView(view, enterprise));
  // The nation is every enterprise: no list of ids to send.
  const ids = view.scope.kind === 'national' ? null : candidates.map((enterprise) => enterprise.id);
  const lines = await enterpriseQuotaLinesOfYear(db, year, ids);
  const production = await monthlyProduction(db, `${year}-01-01`, `${year}-12-01`, ids);
  const producing = new Set(production.map((row) => row.enterprise_id));
  // An enterprise is on the dashboard of a year when it holds quota or produced in it.
  const active = candidates.filter((enterprise) => lines.has(enterprise.id) || producing.has(enterprise.id));
  const divisions = new Map<string, DivisionNode>(
    (await divisionsWithAncestors(db, [...new Set(active.map((enterprise) => enterprise.domicile_code))])).map(
      (row) => [row.code, row],
    ),
  );
  const enterprises = enterpriseRows(active, lines, divisions, view);
  const allLines = active.flatMap((enterprise) => lines.get(enterprise.id) ?? []);
  return {
    year,
    today,
    elapsed_ppm: elapsedShareOfYearPpm(year, today),
    view: { code: view.code, name: view.name, level: view.level, path: view.path },
    totals: figureSetOf(allLines),
    areas: areaRows(enterprises, lines, divisions, view),
    enterprises,
    production: productionByMonth(production, (id) => new Set((lines.get(id) ?? []).map((line) => line.category))),
    anomalies: await anomalies(db, view.scope, year),
    overdue: await overdue(db, actor, view, year, today, now),
  };
}

function enterpriseRows(
  active: readonly EnterpriseFacts[],
  lines: ReadonlyMap<string, QuotaLine[]>,
  divisions: ReadonlyMap<string, DivisionNode>,
  view: View,
): DashboardEnterprise[] {
  return active
    .map((enterprise) => ({
      id: enterprise.id,
      name: enterprise.name,
      kind: enterprise.kind,
      domicile_code: enterprise.domicile_code,
      domicile_name: divisions.get(enterprise.domicile_code)?.name ?? enterprise.domicile_code,
      area_code: areaOf(divisions, view.code, enterprise.domicile_code),
      ...figureSetOf(lines.get(enterprise.id) ?? []),
    }))
    .sort((a, b) => a.area_code.localeCompare(b.area_code) || a.name.localeCompare(b.name, 'zh-CN'));
}

function areaRows(
  enterprises: readonly DashboardEnterprise[],
  lines: ReadonlyMap<string, QuotaLine[]>,
  divisions: ReadonlyMap<string, DivisionNode>,
  view: View,
): DashboardArea[] {
  const members = new Map<string, DashboardEnterprise[]>();
  for (const enterprise of enterprises)
    members.set(enterprise.area_code, [...(members.get(enterprise.area_code) ?? []), enterprise]);
  return [...members.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, list]) => {
      const division = divisions.get(code);
      const direct = code === view.code;
      return {
        code,
        name: direct ? view.name : (division?.name ?? code),
        level: direct ? view.level : (division?.level ?? 'province'),
        direct,
        enterprise_count: list.length,
        ...figureSetOf(list.flatMap((enterprise) => lines.get(enterprise.id) ?? [])),
      };
    });
}

const knownRule = (rule: string): rule is (typeof anomalyRules)[number] =>
  (anomalyRules as readonly string[]).includes(rule);

async function anomalies(db: Executor, scope: Scope, year: number): Promise<DashboardView['anomalies']> {
  const counts = await openAnomalyCountsByRule(db, scope, year);
  const byRule = counts.flatMap(({ rule, count }) => (knownRule(rule) ? [{ rule, count }] : []));
  return { open: counts.reduce((sum, item) => sum + item.count, 0), by_rule: byRule };
}

/** The reports of the latest ended month still not in after their deadline, as the status board has them. */
async function overdue(
  db: Executor,
  actor: Actor,
  view: View,
  year: number,
  today: string,
  now: Date,
): Promise<DashboardView['overdue']> {
  const corrections = can(actor, 'supervision.read')
    ? await overdueCorrections(db, view.scope, now)
    : { count: 0, items: [] };
  const period = latestEndedMonth(year, today);
  if (!period) return { period, reports: [], corrections };
  let rows: Awaited<ReturnType<typeof boardRows>>['rows'];
  try {
    rows = (await boardRows(db, actor, period, view.code === NATION_CODE ? undefined : view.code, now)).rows;
  } catch (error) {
    // A division with no designated enterprise under it has nothing to report.
    if (error instanceof DomainError && error.status === 404) return { period, reports: [], corrections };
    throw error;
  }
  const reports: OverdueReport[] = rows
    .filter((row) => row.status === 'late')
    .map((row) => ({
      kind: row.kind,
      code: row.code,
      id: row.id,
      name: row.name,
      level: row.level,
      deadline: row.deadline,
    }));
  return { period, reports, corrections };
}
