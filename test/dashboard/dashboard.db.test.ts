import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CategoryFigures,
  DashboardFigures,
  DashboardView,
  IndicatorHistory,
} from '../../src/contracts/dashboard.ts';
import type { BoardView } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { monthlyProduction } from '../../src/server/modules/flows/index.ts';
import { elapsedShareOfYearPpm } from '../../src/server/modules/ledger/ledger.rules.ts';
import { enterpriseQuota } from '../../src/server/modules/ledger/ledger.service.ts';
import { dashboardCallers, dashboardMatrix, type DashboardFixtures } from '../api/dashboard-matrix.ts';
import { expectProblem } from '../api/api-helpers.ts';
import { runMatrixCase } from '../api/route-matrix.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

/**
 * The dashboards on the demo data and its July–October 2026 flows, with the clock at 29 November 2026: every
 * figure is the ledger's and the flows' own, exactly; provinces add up to the nation and enterprises to their
 * province; each official sees their own division and nothing beyond; the history is the data file's.
 */
const NOW = new Date('2026-11-29T10:00:00+08:00');
const YEAR = 2026;

type Figures = Omit<DashboardFigures, 'utilisation_ppm' | 'over_balance'>;
const amounts = (figures: DashboardFigures): Figures => ({
  allocated_reo_kg: figures.allocated_reo_kg,
  reduced_reo_kg: figures.reduced_reo_kg,
  consumed_reo_kg: figures.consumed_reo_kg,
  remaining_reo_kg: figures.remaining_reo_kg,
});
const add = (a: Figures, b: Figures): Figures => ({
  allocated_reo_kg: a.allocated_reo_kg + b.allocated_reo_kg,
  reduced_reo_kg: a.reduced_reo_kg + b.reduced_reo_kg,
  consumed_reo_kg: a.consumed_reo_kg + b.consumed_reo_kg,
  remaining_reo_kg: a.remaining_reo_kg + b.remaining_reo_kg,
});
const zero: Figures = { allocated_reo_kg: 0, reduced_reo_kg: 0, consumed_reo_kg: 0, remaining_reo_kg: 0 };
const sumOf = (items: readonly { total: DashboardFigures }[]) =>
  items.reduce((sum, item) => add(sum, amounts(item.total)), zero);

/** Per category, summed over rows that each have category lines. */
function byCategory(items: readonly { categories: readonly CategoryFigures[] }[]): Record<string, Figures> {
  const result: Record<string, Figures> = {};
  for (const item of items)
    for (const line of item.categories) result[line.category] = add(result[line.category] ?? zero, amounts(line));
  return result;
}
const categoriesOf = (item: { categories: readonly CategoryFigures[] }) =>
  Object.fromEntries(item.categories.map((line) => [line.category, amounts(line)]));

describe('the dashboards', () => {
  let context: TestContext;
  let miit: Client;
  let national: DashboardView;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => NOW });
    await loadDemoFlows(context.database);
    miit = await context.as('miit');
    national = await dashboardOf(miit, `year=${YEAR}`);
  }, 300_000);
  afterAll(() => context.close());

  async function dashboardOf(client: Client, query: string): Promise<DashboardView> {
    const response = await client.get(`/api/v1/dashboard?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<DashboardView>();
  }

  it('adds up exactly: enterprises = provinces = the nation, in total and per category', () => {
    expect(national.view).toMatchObject({ code: '000000', level: 'nation' });
    expect(national.areas.every((area) => area.level === 'province' && !area.direct)).toBe(true);
    expect(national.enterprises.length).toBeGreaterThanOrEqual(8);
    expect(sumOf(national.enterprises)).toEqual(amounts(national.totals.total));
    expect(sumOf(national.areas)).toEqual(amounts(national.totals.total));
    expect(byCategory(national.enterprises)).toEqual(categoriesOf(national.totals));
    expect(byCategory(national.areas)).toEqual(categoriesOf(national.totals));
    for (const area of national.areas) {
      const members = national.enterprises.filter((item) => item.area_code === area.code);
      expect(members.length).toBe(area.enterprise_count);
      expect(members.every((item) => item.domicile_code.startsWith(area.code.slice(0, 2)))).toBe(true);
      expect(byCategory(members)).toEqual(categoriesOf(area));
    }
    for (const figures of [national.totals.total, ...national.areas.map((area) => area.total)]) {
      expect(figures.remaining_reo_kg).toBe(figures.allocated_reo_kg - figures.consumed_reo_kg);
      const expected =
        figures.allocated_reo_kg > 0
          ? Math.round((figures.consumed_reo_kg * 1_000_000) / figures.allocated_reo_kg)
          : null;
      expect(figures.utilisation_ppm).toBe(expected);
    }
    expect(national.elapsed_ppm).toBe(elapsedShareOfYearPpm(YEAR, '2026-11-29'));
    expect(national.today).toBe('2026-11-29');
  });

  it("shows each enterprise's quota exactly as its own quota page and the ledger service give it", async () => {
    const db = context.database.db;
    for (const enterprise of national.enterprises) {
      const response = await miit.get(`/api/v1/quota/enterprises/${enterprise.id}?year=${YEAR}`);
      expect(response.statusCode).toBe(200);
      const quota = response.json<Awaited<ReturnType<typeof enterpriseQuota>>>();
      expect(quota).toEqual(await enterpriseQuota(db, enterprise.id, YEAR, '2026-11-29'));
      expect(enterprise.categories.map((line) => line.category)).toEqual(quota.lines.map((line) => line.category));
      for (const line of quota.lines) {
        const shown = enterprise.categories.find((item) => item.category === line.category)!;
        expect(shown).toEqual({
          category: line.category,
          allocated_reo_kg: line.allocated_reo_kg - line.reduced_reo_kg,
          reduced_reo_kg: line.reduced_reo_kg,
          consumed_reo_kg: line.consumed_reo_kg,
          remaining_reo_kg: line.remaining_reo_kg,
          utilisation_ppm: line.utilisation_ppm,
          over_balance: line.over_balance,
        });
      }
    }
  });

  it("the nation's figures are the ledger's enterprise accounts, summed straight from the entries", async () => {
    const result = await sql<{ category: string; allocated: string; reduced: string; consumed: string }>`
      SELECT a.category,
             sum(CASE WHEN e.kind IN ('issue', 'adjust', 'approve') THEN
                   CASE WHEN e.credit_account_id = a.id THEN e.reo_kg ELSE -e.reo_kg END ELSE 0 END) AS allocated,
             sum(CASE WHEN e.kind = 'reduce' THEN e.reo_kg ELSE 0 END) AS reduced,
             sum(CASE WHEN e.kind = 'consume' THEN e.reo_kg WHEN e.kind = 'reverse' THEN -e.reo_kg ELSE 0 END) AS consumed
      FROM ledger_account a JOIN ledger_entry e ON e.credit_account_id = a.id OR e.debit_account_id = a.id
      WHERE a.kind = 'enterprise' AND a.year = ${YEAR}
      GROUP BY a.category`.execute(context.database.db);
    const expected = Object.fromEntries(
      result.rows.map((row) => {
        const allocated = Number(row.allocated) - Number(row.reduced);
        const consumed = Number(row.consumed);
        return [
          row.category,
          {
            allocated_reo_kg: allocated,
            reduced_reo_kg: Number(row.reduced),
            consumed_reo_kg: consumed,
            remaining_reo_kg: allocated - consumed,
          },
        ];
      }),
    );
    expect(categoriesOf(national.totals)).toEqual(expected);
  });

  it('the monthly trend is the flow records’ production, which the ledger consumed category by category', async () => {
    const rows = await monthlyProduction(context.database.db, `${YEAR}-01-01`, `${YEAR}-12-01`, null);
    const total = (list: readonly { reo_kg: number }[]) => list.reduce((sum, item) => sum + item.reo_kg, 0);
    expect(total(national.production)).toBe(total(rows));
    expect(national.production.map((point) => point.month)).toEqual(
      [...national.production.map((point) => point.month)].sort(),
    );
    expect(new Set(national.production.map((point) => point.month))).toEqual(
      new Set(['2026-07', '2026-08', '2026-09', '2026-10']),
    );
    // The demo's plants hold `separation` quota, so their feed-split production counts there.
    expect(national.production.some((point) => point.category.includes('|'))).toBe(false);
    const produced: Record<string, number> = {};
    for (const point of national.production) produced[point.category] = (produced[point.category] ?? 0) + point.reo_kg;
    const consumed = Object.fromEntries(
      national.totals.categories.map((line) => [line.category, line.consumed_reo_kg]),
    );
    expect(produced).toEqual(consumed);
  });

  it('a prefecture official sees only their enterprises, by county, adding up to their prefecture', async () => {
    const baotou = await dashboardOf(await context.as('baotou.iit'), `year=${YEAR}`);
    expect(baotou.view).toMatchObject({ code: '150200', level: 'prefecture' });
    expect(baotou.view.path.map((step) => step.code)).toEqual(['150200']);
    const expected = national.enterprises.filter((item) => item.domicile_code.startsWith('1502'));
    expect(expected.length).toBeGreaterThan(0);
    expect(baotou.enterprises.map((item) => item.id).sort()).toEqual(expected.map((item) => item.id).sort());
    expect(baotou.areas.every((area) => area.level === 'county' && area.code.startsWith('1502'))).toBe(true);
    expect(sumOf(baotou.areas)).toEqual(sumOf(expected));
    expect(amounts(baotou.totals.total)).toEqual(sumOf(expected));
    for (const enterprise of baotou.enterprises) expect(enterprise.area_code).toBe(enterprise.domicile_code);
    // Its open anomalies are the ones the anomaly list gives it.
    const listed = await (await context.as('baotou.iit')).get('/api/v1/anomalies?status=open&page_size=1');
    expect(baotou.anomalies.open).toBe(listed.json<{ total: number }>().total);
  });

  it('drills down from the nation to a province: its prefectures add up to its row on the national view', async () => {
    const province = await dashboardOf(miit, `year=${YEAR}&division_code=150000`);
    expect(province.view.path.map((step) => step.code)).toEqual(['000000', '150000']);
    expect(province.areas.every((area) => area.level === 'prefecture')).toBe(true);
    const row = national.areas.find((area) => area.code === '150000')!;
    expect(amounts(province.totals.total)).toEqual(amounts(row.total));
    expect(sumOf(province.areas)).toEqual(amounts(row.total));
    const official = await dashboardOf(await context.as('nmg.iit'), `year=${YEAR}`);
    expect(official.totals).toEqual(province.totals);
    expect(official.view.path.map((step) => step.code)).toEqual(['150000']);
  });

  it('counts open anomalies by rule as the anomaly list does, nationally', async () => {
    const listed = await miit.get('/api/v1/anomalies?status=open&page_size=1');
    expect(national.anomalies.open).toBe(listed.json<{ total: number }>().total);
    expect(national.anomalies.open).toBeGreaterThan(0);
    expect(national.anomalies.by_rule.reduce((sum, item) => sum + item.count, 0)).toBe(national.anomalies.open);
    for (const { rule, count } of national.anomalies.by_rule) {
      const byRule = await miit.get(`/api/v1/anomalies?status=open&rule=${rule}&page_size=1`);
      expect(byRule.json<{ total: number }>().total, rule).toBe(count);
    }
  });

  it('lists the reports of the latest ended month that the status board has as late', async () => {
    expect(national.overdue.period).toBe('2026-10');
    const board = await miit.get('/api/v1/reporting/board?period=2026-10');
    expect(board.statusCode).toBe(200);
    const view = board.json<BoardView>();
    const lateProvinces = view.children.filter((node) => node.status === 'late').map((node) => node.code);
    const listed = new Set(national.overdue.reports.map((item) => item.code));
    for (const code of lateProvinces) expect(listed.has(code)).toBe(true);
    // No report of October is in: every designated enterprise with a deadline passed is late.
    expect(national.overdue.reports.some((item) => item.kind === 'enterprise')).toBe(true);
    const lastYear = await dashboardOf(miit, 'year=2025');
    expect(lastYear.overdue.period).toBe('2025-12');
    const nextYear = await dashboardOf(miit, 'year=2027');
    expect(nextYear.overdue).toEqual({ period: null, reports: [], corrections: { count: 0, items: [] } });
    expect(nextYear.enterprises).toEqual([]);
    expect(nextYear.totals.total.utilisation_ppm).toBeNull();
  });

  it('refuses enterprises, divisions outside the jurisdiction and unknown divisions', async () => {
    expectProblem(await (await context.as('ent.bayan')).get(`/api/v1/dashboard?year=${YEAR}`), 403, 'forbidden');
    const baotou = await context.as('baotou.iit');
    expectProblem(await baotou.get(`/api/v1/dashboard?year=${YEAR}&division_code=360700`), 403, 'forbidden');
    expectProblem(await baotou.get(`/api/v1/dashboard?year=${YEAR}&division_code=150000`), 403, 'forbidden');
    expectProblem(await baotou.get(`/api/v1/dashboard?year=${YEAR}&division_code=000000`), 403, 'forbidden');
    expectProblem(await miit.get(`/api/v1/dashboard?year=${YEAR}&division_code=159999`), 404, 'not_found');
    expectProblem(await miit.get('/api/v1/dashboard?year=26'), 400, 'validation');
    expectProblem(await miit.get(`/api/v1/dashboard?year=${YEAR}&division_code=15`), 400, 'validation');
  });

  it('serves the published indicator history exactly as the data file has it', async () => {
    const response = await miit.get('/api/v1/dashboard/indicator-history');
    expect(response.statusCode).toBe(200);
    const history = response.json<IndicatorHistory>();
    const text = await readFile(
      new URL('../../src/server/modules/dashboard/indicator-history.csv', import.meta.url),
      'utf8',
    );
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(history.source).toEqual(
      lines.filter((line) => line.startsWith('#')).map((line) => line.replace(/^#\s*/, '')),
    );
    const [header, ...rows] = lines.filter((line) => !line.startsWith('#'));
    expect(header).toBe('year,mining_total_t,separation_total_t,mining_rock_t,mining_ion_t,note');
    const cell = (value: string | undefined) => (value ? Number(value) : null);
    expect(history.years).toEqual(
      rows.map((row) => {
        const [year, mining, separation, rock, ion, ...note] = row.split(',');
        return {
          year: Number(year),
          mining_total_t: cell(mining),
          separation_total_t: cell(separation),
          mining_rock_t: cell(rock),
          mining_ion_t: cell(ion),
          note: note.join(',') || null,
        };
      }),
    );
    expect(history.years.find((item) => item.year === 2023)).toMatchObject({
      mining_total_t: 255_000,
      separation_total_t: 243_850,
      mining_rock_t: 235_850,
      mining_ion_t: 19_150,
    });
    expect(history.years.find((item) => item.year === 2024)?.mining_rock_t).toBeNull();
  });

  it('serves the province map with a province code on every province, cacheable and revalidated by ETag', async () => {
    const response = await context.anonymous.get('/api/v1/public/maps/china');
    expect(response.statusCode).toBe(200);
    const map = response.json<{ features: { properties: { id?: string; name: string } }[] }>();
    const ids = map.features.map((feature) => feature.properties.id).filter((id) => id);
    expect(ids).toContain('15');
    expect(ids).toContain('36');
    expect(ids.every((id) => /^\d{2}$/.test(id ?? ''))).toBe(true);
    expect(map.features.some((feature) => feature.properties.name === '南海诸岛')).toBe(true);
    const etag = response.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await context.anonymous.request('GET', '/api/v1/public/maps/china', undefined, {
      'if-none-match': etag,
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['cache-control']).toMatch(/^public/);
  });

  it('serves the map file an operator configures in its place', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'monazite-map-'));
    const file = join(folder, 'approved.json');
    const approved = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { id: '15', name: '内蒙古' }, geometry: null }],
    };
    await writeFile(file, JSON.stringify(approved));
    const saved = process.env.CHINA_MAP_FILE;
    process.env.CHINA_MAP_FILE = file; // for an app that does not hand its config to the dashboards
    const other = await startTestApp({ CHINA_MAP_FILE: file });
    try {
      const response = await other.anonymous.get('/api/v1/public/maps/china');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(approved);
    } finally {
      if (saved === undefined) delete process.env.CHINA_MAP_FILE;
      else process.env.CHINA_MAP_FILE = saved;
      await other.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("puts overdue correction orders on the board of the officials over the enterprise, and no one else's", async () => {
    expect(national.overdue.corrections).toEqual({ count: 0, items: [] });
    const baotou = await context.as('baotou.iit');
    const kundulun = national.enterprises.find((item) => item.domicile_code.startsWith('1502'))!;
    const violation = await baotou.post('/api/v1/supervision/violations', {
      enterprise_id: kundulun.id,
      type: 'flow_records_missing',
      description: '10月流向信息未按期录入',
      found_on: '2026-11-12',
      idempotency_key: 'dashboard-overdue-violation',
    });
    expect(violation.statusCode, violation.body).toBe(201);
    const orders = [];
    for (const [tag, due] of [
      ['late', '2026-11-20'],
      ['later', '2026-11-25'],
      ['not-yet', '2026-11-29'],
    ] as const) {
      const order = await baotou.post(
        `/api/v1/supervision/violations/${violation.json<{ id: string }>().id}/decisions`,
        {
          kind: 'correction_order',
          document_no: `包工信责改〔2026〕${tag}号`,
          decided_on: '2026-11-13',
          final: false,
          correction_due_on: due,
          idempotency_key: `dashboard-overdue-${tag}`,
        },
      );
      expect(order.statusCode, order.body).toBe(201);
      orders.push(order.json<{ id: string }>().id);
    }
    const expected = {
      count: 2,
      items: [
        {
          id: orders[0],
          document_no: '包工信责改〔2026〕late号',
          enterprise_id: kundulun.id,
          enterprise_name: kundulun.name,
          division_code: '150200',
          correction_due_on: '2026-11-20',
        },
        expect.objectContaining({ id: orders[1], correction_due_on: '2026-11-25' }),
      ],
    };
    expect((await dashboardOf(miit, `year=${YEAR}`)).overdue.corrections).toEqual(expected);
    expect((await dashboardOf(await context.as('nmg.iit'), `year=${YEAR}`)).overdue.corrections).toEqual(expected);
    expect((await dashboardOf(baotou, `year=${YEAR}`)).overdue.corrections).toEqual(expected);
    const list = await baotou.get('/api/v1/supervision/decisions?overdue=true');
    expect(list.json<{ overdue_count: number }>().overdue_count).toBe(2);
    const jiangxi = await dashboardOf(await context.as('ganzhou.nr'), `year=${YEAR}`);
    expect(jiangxi.overdue.corrections).toEqual({ count: 0, items: [] });
  });

  describe('authorization matrix', () => {
    const fx = {} as DashboardFixtures;
    beforeAll(async () => {
      fx.context = context;
      const clients = { anonymous: context.anonymous } as DashboardFixtures['clients'];
      for (const caller of dashboardCallers) if (caller !== 'anonymous') clients[caller] = await context.as(caller);
      fx.clients = clients;
    });

    it.each(dashboardMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, dashboardCallers)).toEqual([]);
      },
    );

    it('every dashboard route is in the OpenAPI document and has a matrix entry', () => {
      const openapi = context.app.swagger() as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(openapi.paths)
        .filter(([path]) => path.startsWith('/api/v1/dashboard') || path.startsWith('/api/v1/public/maps'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented).toEqual([
        'GET /api/v1/dashboard',
        'GET /api/v1/dashboard/indicator-history',
        'GET /api/v1/public/maps/china',
      ]);
      expect([...new Set(dashboardMatrix().map((item) => item.route))].sort()).toEqual(documented);
    });
  });
});
