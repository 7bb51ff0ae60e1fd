import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView, CompilationView, ReportView } from '../../src/contracts/reporting.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { loadDemoReports } from '../../src/server/demo/demo-reports.ts';
import { createSealer } from '../../src/server/shared/signing.ts';
import { startTestApp, type TestContext } from '../support/app.ts';
import { demoEnterpriseIds, expectProblem, worldDigest } from './api-helpers.ts';
import {
  buildReportingWorld,
  domicileOf,
  enterpriseLogin,
  freshCompilation,
  NATION,
  NOW,
  reportingCallers,
  reportingClients,
  reportingMatrix,
  type ReportingFixtures,
  type UserKey,
  type WorldKey,
} from './reporting-matrix.ts';
import { runMatrixCase } from './route-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for the Art. 9 reporting routes (§5): an enterprise sees and submits only its own
 * reports; officials read within their division and write only at their own level (the county returns an
 * enterprise's report, a division's own departments compile and forward, the level above returns a
 * compilation); NDRC and oversight read and never write; the operator reads nothing. Out of scope is 404 for a
 * document, 403 for a division; a refusal writes nothing. The cases live in reporting-matrix.ts;
 * authorization.db.test.ts checks that, with the other matrices, they cover every /api/v1 route.
 */

/** The demo reports are signed with keys sealed under this secret: the app must open them with the same. */
const SIGNING_SECRET = 'a-test-secret-of-enough-length';

const reportingRoutes = [
  'GET /api/v1/reports/draft',
  'GET /api/v1/reports',
  'POST /api/v1/reports',
  'GET /api/v1/reports/{id}',
  'POST /api/v1/reports/{id}/return',
  'GET /api/v1/compilations/draft',
  'GET /api/v1/compilations',
  'POST /api/v1/compilations',
  'GET /api/v1/compilations/{id}',
  'POST /api/v1/compilations/{id}/forward',
  'POST /api/v1/compilations/{id}/return',
  'GET /api/v1/reporting/board',
  'POST /api/v1/reporting/reminders',
  'GET /api/v1/reporting/reminders',
  'GET /api/v1/reporting/reconciliation',
  'POST /api/v1/reporting/reconciliation/runs',
  'GET /api/v1/reporting/deadlines',
  'PUT /api/v1/reporting/deadlines',
];

describe('authorization of the Art. 9 reporting routes', () => {
  const fx = {} as ReportingFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp({ SIGNING_KEY_SECRET: SIGNING_SECRET }, { clock: () => NOW });
    await loadDemoFlows(context.database);
    await loadDemoReports(context.database, createSealer(SIGNING_SECRET));
    fx.context = context;
    fx.clients = await reportingClients(context);
    fx.enterprises = await demoEnterpriseIds(context.database.db);
    fx.world = await buildReportingWorld(fx);
  }, 300_000);
  afterAll(async () => context.close());

  const db = () => context.database.db;
  const id = (key: string) => fx.enterprises[key]!.id;

  describe('reads leak nothing (run before the matrix adds to the world)', () => {
    const keys = Object.keys(domicileOf) as WorldKey[];

    it.each(Object.keys(enterpriseLogin) as UserKey[])(
      "ent.%s cannot read another enterprise's reports, draft or report by id",
      async (own) => {
        const client = fx.clients[enterpriseLogin[own]];
        for (const key of [...keys, 'weishan', 'fusui']) {
          const others = [
            `/api/v1/reports?enterprise_id=${id(key)}&year=2026`,
            `/api/v1/reports?enterprise_id=${id(key)}&year=2025`,
            `/api/v1/reports/draft?enterprise_id=${id(key)}&period=2026-10`,
            `/api/v1/reports/draft?enterprise_id=${id(key)}&period=2026`,
          ];
          for (const url of others) {
            const response = await client.get(url);
            if (key === own) expect(response.statusCode, `${own} ${url}`).toBe(200);
            else expectProblem(response, 404, 'not_found');
          }
        }
        for (const key of keys) {
          const response = await client.get(`/api/v1/reports/${fx.world.septemberReports[key]}`);
          if (key === own) expect(response.json<ReportView>().enterprise_id).toBe(id(own));
          else expectProblem(response, 404, 'not_found');
        }
        // Its own list holds its own reports only, and nothing else names another enterprise.
        const mine = await client.get(`/api/v1/reports?enterprise_id=${id(own)}&year=2026`);
        const reports = mine.json<ReportView[]>();
        expect(reports.length).toBeGreaterThanOrEqual(3);
        for (const report of reports) expect(report.enterprise_id).toBe(id(own));
        for (const key of keys.filter((key) => key !== own)) expect(mine.body).not.toContain(id(key));
        // Compilations, the board and reconciliation are for officials.
        expectProblem(await client.get('/api/v1/reporting/board?period=2026-09'), 403, 'forbidden');
        expectProblem(
          await client.get(`/api/v1/compilations?division_code=${domicileOf[own]}&period=2026-09`),
          403,
          'forbidden',
        );
        expectProblem(
          await client.get(`/api/v1/compilations/${fx.world.septemberCompilations[domicileOf[own]]}`),
          404,
          'not_found',
        );
      },
    );

    it('an enterprise cannot submit a report as another enterprise: 400, and nothing is written', async () => {
      const before = await worldDigest(db());
      const response = await fx.clients['ent.bayan'].post('/api/v1/reports', {
        period: '2026-10',
        enterprise_id: id('kundulun'),
        idempotency_key: 'forged-enterprise-1',
      });
      const problem = expectProblem(response, 400, 'validation');
      expect(problem.errors?.map((error) => error.field)).toContain('enterprise_id');
      expect(await worldDigest(db())).toBe(before);
    });

    it.each([
      ['baiyunebo.iit', ['bayan']],
      ['kundulun.nr', ['kundulun']],
      ['dingnan.iit', ['dingnan']],
      ['longnan.iit', ['longnan']],
    ] as const)("the board of the county official %s lists only the county's own enterprises", async (login, own) => {
      const county = domicileOf[own[0]];
      const domiciled = Object.values(fx.enterprises)
        .filter((row) => row.domicile_code === county)
        .map((row) => row.id)
        .sort();
      expect(domiciled).toEqual(own.map(id).sort());
      for (const period of ['2026-07', '2026-09', '2026-10']) {
        for (const url of [
          `/api/v1/reporting/board?period=${period}`,
          `/api/v1/reporting/board?period=${period}&division_code=${county}`,
        ]) {
          const response = await fx.clients[login].get(url);
          expect(response.statusCode, response.body).toBe(200);
          const view = response.json<BoardView>();
          expect(view.node.code).toBe(county);
          expect(view.path.map((item) => item.code)).toEqual([county]);
          expect(view.children.map((child) => child.id).sort(), `${login} ${url}`).toEqual(domiciled);
          for (const child of view.children) expect(child).toMatchObject({ kind: 'enterprise', code: county });
        }
        // Neither the prefecture above nor a sibling county.
        const prefecture = `${county.slice(0, 4)}00`;
        for (const code of [prefecture, NATION, county === '150206' ? '150203' : '150206'])
          expectProblem(
            await fx.clients[login].get(`/api/v1/reporting/board?period=${period}&division_code=${code}`),
            403,
            'forbidden',
          );
      }
    });

    it.each([
      ['baotou.iit', '3607', ['360700', '360783']],
      ['ganzhou.nr', '1502', ['150200', '150206']],
    ] as const)(
      '%s cannot read any compilation of the other prefecture (%s…) by id, nor list them',
      async (login, prefix, divisions) => {
        const rows = await db()
          .selectFrom('compilation')
          .select(['id', 'division_code', 'period'])
          .where('division_code', 'like', `${prefix}%`)
          .execute();
        // Every version of the prefecture's own and of its counties', each month.
        expect(rows.length).toBeGreaterThanOrEqual(4 * 3);
        const client = fx.clients[login];
        for (const row of rows) expectProblem(await client.get(`/api/v1/compilations/${row.id}`), 404, 'not_found');
        for (const code of divisions)
          for (const url of [
            `/api/v1/compilations?division_code=${code}&period=2026-09`,
            `/api/v1/compilations/draft?division_code=${code}&period=2026-09`,
          ])
            expectProblem(await client.get(url), 403, 'forbidden');
        // Nor the province or nation above their own.
        const own = await db()
          .selectFrom('compilation')
          .select(['id', 'division_code'])
          .where('period', '=', '2026-09-01')
          .where('division_code', 'in', ['150000', '360000', NATION])
          .execute();
        for (const row of own) expectProblem(await client.get(`/api/v1/compilations/${row.id}`), 404, 'not_found');
      },
    );

    it('the reminders an official or enterprise reads are only those addressed to it', async () => {
      // June 2026: no one reported it, so every enterprise and every division is overdue.
      const sent = await fx.clients.miit.post('/api/v1/reporting/reminders', { period: '2026-06' });
      expect(sent.statusCode, sent.body).toBe(200);
      expect(sent.json<{ sent: number }>().sent).toBeGreaterThan(10);
      const own: Record<string, { type: string; code: string } | null> = {
        'ent.bayan': { type: 'enterprise', code: id('bayan') },
        'ent.kundulun': { type: 'enterprise', code: id('kundulun') },
        'ent.dingnan': { type: 'enterprise', code: id('dingnan') },
        'ent.longnan': { type: 'enterprise', code: id('longnan') },
        'nmg.iit': { type: 'division', code: '150000' },
        'baotou.iit': { type: 'division', code: '150200' },
        'ganzhou.nr': { type: 'division', code: '360700' },
        'longnan.iit': { type: 'division', code: '360783' },
        'baiyunebo.iit': { type: 'division', code: '150206' },
        'kundulun.nr': { type: 'division', code: '150203' },
        'dingnan.iit': { type: 'division', code: '360728' },
        miit: null,
        mnr: null,
        ndrc: null,
        oversight: null,
      };
      for (const [login, target] of Object.entries(own)) {
        const response = await fx.clients[login as keyof typeof fx.clients].get('/api/v1/reporting/reminders');
        expect(response.statusCode, response.body).toBe(200);
        const items = response.json<{ target_type: string; target_code: string; period: string }[]>();
        if (target === null) expect(items, login).toEqual([]);
        else {
          expect(
            items.filter((item) => item.period === '2026-06'),
            `${login} has its June reminder`,
          ).toHaveLength(1);
          for (const item of items) expect({ type: item.target_type, code: item.target_code }, login).toEqual(target);
        }
      }
    });
  });

  describe("the nation's compilation has nothing above it", () => {
    it('forwarding or returning it is a conflict for the ministries, and it does not exist below them', async () => {
      const nation = fx.world.septemberCompilations[NATION]!;
      const before = await worldDigest(db());
      for (const login of ['miit', 'mnr'] as const) {
        expectProblem(await fx.clients[login].post(`/api/v1/compilations/${nation}/forward`), 409, 'conflict');
        expectProblem(
          await fx.clients[login].post(`/api/v1/compilations/${nation}/return`, { reason: '没有上一级可退回' }),
          409,
          'conflict',
        );
      }
      for (const login of ['nmg.iit', 'baotou.iit', 'longnan.iit'] as const) {
        expectProblem(await fx.clients[login].post(`/api/v1/compilations/${nation}/forward`), 404, 'not_found');
        expectProblem(
          await fx.clients[login].post(`/api/v1/compilations/${nation}/return`, { reason: '没有上一级可退回' }),
          404,
          'not_found',
        );
      }
      for (const login of ['ndrc', 'oversight', 'ent.bayan'] as const)
        expectProblem(await fx.clients[login].post(`/api/v1/compilations/${nation}/forward`), 403, 'forbidden');
      expect(await worldDigest(db())).toBe(before);
    });

    it('a county forwards to its prefecture, which alone may return it; the county cannot return its own', async () => {
      const id = await freshCompilation(fx, '150206', '2026-07', true);
      const before = await worldDigest(db());
      expectProblem(
        await fx.clients['baiyunebo.iit'].post(`/api/v1/compilations/${id}/return`, { reason: '自己退回自己' }),
        403,
        'forbidden',
      );
      expectProblem(
        await fx.clients['nmg.iit'].post(`/api/v1/compilations/${id}/return`, { reason: '越级退回' }),
        403,
        'forbidden',
      );
      expect(await worldDigest(db())).toBe(before);
      const returned = await fx.clients['baotou.iit'].post(`/api/v1/compilations/${id}/return`, {
        reason: '请核对白云鄂博矿区的汇总',
      });
      expect(returned.statusCode, returned.body).toBe(200);
      expect(returned.json<CompilationView>().returned?.returned_by).toBe('baotou.iit');
      // Left returned, the prefecture cannot compile July until the county compiles again: make it whole.
      await freshCompilation(fx, '150206', '2026-07', true);
    });
  });

  describe('the route matrix', () => {
    it('covers exactly the reporting routes', () => {
      expect(new Set(reportingMatrix().map((item) => item.route))).toEqual(new Set(reportingRoutes));
    });

    it.each(reportingMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, reportingCallers)).toEqual([]);
      },
      120_000,
    );
  });
});
