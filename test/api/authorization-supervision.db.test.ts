import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';
import { expectProblem, worldDigest } from './api-helpers.ts';
import { runMatrixCase } from './route-matrix.ts';
import {
  buildSupervisionWorld,
  supervisionCallers,
  supervisionClients,
  supervisionMatrix,
  type SupervisionFixtures,
} from './supervision-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for supervision (Arts. 12–16): officials see and act on inspections, evidence,
 * violations and decisions of enterprises under their division only (outside: 404), the ministries and oversight
 * read all, enterprises read their own, NDRC and oversight write nothing, the operator sees nothing. The cases live
 * in supervision-matrix.ts; authorization.db.test.ts checks that, with the other matrices, they cover every route.
 */

const supervisionRoutes = [
  'GET /api/v1/supervision/violation-types',
  'GET /api/v1/supervision/inspections',
  'POST /api/v1/supervision/inspections',
  'GET /api/v1/supervision/inspections/{id}',
  'POST /api/v1/supervision/inspections/{id}/visit',
  'POST /api/v1/supervision/inspections/{id}/inspectors',
  'POST /api/v1/supervision/inspections/{id}/evidence',
  'GET /api/v1/supervision/evidence/{id}',
  'GET /api/v1/supervision/violations',
  'POST /api/v1/supervision/violations',
  'GET /api/v1/supervision/violations/{id}',
  'POST /api/v1/supervision/violations/{id}/decisions',
  'GET /api/v1/supervision/decisions',
  'GET /api/v1/supervision/decisions/{id}',
  'POST /api/v1/supervision/decisions/{id}/transitions',
  'POST /api/v1/supervision/decisions/{id}/finality',
  'POST /api/v1/supervision/decisions/{id}/report-upward',
  'GET /api/v1/supervision/reported',
];

describe('authorization of the supervision routes', () => {
  const fx = {} as SupervisionFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-12-01T10:00:00+08:00') });
    fx.context = context;
    fx.clients = await supervisionClients(context);
    fx.world = await buildSupervisionWorld(fx);
  }, 300_000);
  afterAll(async () => context.close());

  describe('reads leak nothing (run before the matrix adds to the world)', () => {
    it("an official's lists hold nothing of another jurisdiction, however filtered", async () => {
      for (const [login, foreign] of [
        ['baotou.iit', 'dingnan'],
        ['ganzhou.nr', 'bayan'],
        ['longnan.iit', 'dingnan'],
        ['ent.bayan', 'dingnan'],
        ['ent.dingnan', 'bayan'],
      ] as const) {
        const id = fx.enterprises[foreign]!.id;
        for (const path of ['inspections', 'violations', 'decisions']) {
          const response = await fx.clients[login].get(`/api/v1/supervision/${path}?enterprise_id=${id}`);
          expect(response.statusCode).toBe(200);
          expect(response.json<{ total: number }>().total, `${login} ${path} of ${foreign}`).toBe(0);
        }
        const body = (await fx.clients[login].get('/api/v1/supervision/decisions?page_size=200')).body;
        expect(body).not.toContain(fx.world.decision[foreign]);
      }
    });

    it('the upward view shows each level what the level below reported, and nothing to the ministries', async () => {
      const reported = async (login: 'nmg.iit' | 'ganzhou.nr' | 'baotou.iit' | 'miit') =>
        (await fx.clients[login].get('/api/v1/supervision/reported')).json<{ items: { id: string }[] }>().items;
      // Baotou (a prefecture) reports to Inner Mongolia; Ganzhou (a prefecture) to Jiangxi, which has no caller here.
      expect((await reported('nmg.iit')).map((item) => item.id)).toEqual([fx.world.decision.bayan]);
      expect(await reported('baotou.iit')).toEqual([]);
      expect(await reported('ganzhou.nr')).toEqual([]);
      expect(await reported('miit')).toEqual([]);
    });

    it('an out-of-scope official cannot move, report or attach to another jurisdiction’s records (404, unchanged)', async () => {
      const before = await worldDigest(context.database.db);
      const ganzhou = fx.clients['ganzhou.nr'];
      const calls = [
        ganzhou.post(`/api/v1/supervision/decisions/${fx.world.decision.bayan}/transitions`, {
          expected_version: 2,
          status: 'closed',
          note: '越权',
        }),
        ganzhou.post(`/api/v1/supervision/decisions/${fx.world.decision.bayan}/report-upward`, { expected_version: 2 }),
        ganzhou.post(`/api/v1/supervision/inspections/${fx.world.inspection.bayan}/visit`, {
          expected_version: 1,
          visited_on: '2026-11-20',
          findings: '越权',
          outcome: 'no_violation',
        }),
      ];
      for (const response of await Promise.all(calls)) expectProblem(response, 404, 'not_found');
      expect(await worldDigest(context.database.db)).toBe(before);
    });
  });

  describe('the route matrix', () => {
    it('covers every supervision route', () => {
      expect(new Set(supervisionMatrix().map((item) => item.route))).toEqual(new Set(supervisionRoutes));
    });

    it.each(supervisionMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, supervisionCallers)).toEqual([]);
      },
    );
  });
});
