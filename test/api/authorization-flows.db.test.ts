import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { march } from '../flows/flow-world.ts';
import { demoEnterpriseIds, expectProblem, worldDigest } from './api-helpers.ts';
import { flowsMatrix } from './flows-matrix.ts';
import {
  buildWorld,
  creditCodeOf,
  DINGNAN_CUSTOMER,
  enterpriseId,
  flowsCallers,
  flowsLogins,
  granted,
  KUNDULUN_CUSTOMER,
  PERIOD,
  seesEnterprise,
  worldBatches,
  type FlowsCaller,
  type FlowsFixtures,
  type WorldBatch,
} from './flows-world.ts';
import { runMatrixCase } from './route-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for flow records, declarations, traces, certificates, checks and anomalies:
 * an enterprise sees its own flows and what it made or held; an official the enterprises and batches of its
 * division; the ministries and oversight all; the public certificate check anyone. Out of scope is 404,
 * a missing permission 403, and a refusal writes nothing. The matrix cases live in flows-matrix.ts;
 * authorization.db.test.ts checks that, with the other matrices, they cover every /api/v1 route.
 */

interface Anomaly {
  id: string;
  enterprise_id: string;
  domicile_code: string;
  version: number;
  status: string;
}
interface Movement {
  batch_id: number;
  kind: string;
  event_id: string;
  enterprise: { name: string; credit_code: string } | null;
  counterparty_name: string | null;
}

describe('authorization of flows, declarations, traces, certificates, checks and anomalies', () => {
  const fx = { shared: new Map<string, string>() } as FlowsFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp();
    fx.context = context;
    const clients = { anonymous: context.anonymous } as Record<FlowsCaller, Client>;
    for (const login of flowsLogins) clients[login] = await context.as(login);
    fx.clients = clients;
    fx.longnan = await context.as('ent.longnan');
    fx.enterprises = await demoEnterpriseIds(context.database.db);
    fx.world = await buildWorld(fx);
  });
  afterAll(async () => context.close());

  const db = () => context.database.db;
  const anomalyRows = async () => {
    const rows = await sql<{ id: string; enterprise_id: string; domicile_code: string }>`
      SELECT a.id, a.enterprise_id, e.domicile_code FROM anomaly a JOIN enterprise e ON e.id = a.enterprise_id`.execute(
      db(),
    );
    return rows.rows.map((row) => ({ ...row, domicile_code: row.domicile_code.trim() }));
  };
  const anomalyVersion = async (id: string) =>
    (await db().selectFrom('anomaly').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;
  /** Every anomaly a caller is listed, page by page. */
  const listedAnomalies = async (client: Client, query = ''): Promise<Anomaly[]> => {
    const found: Anomaly[] = [];
    for (let page = 1; ; page += 1) {
      const response = await client.get(`/api/v1/anomalies?page_size=200&page=${page}${query}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<{ items: Anomaly[]; total: number }>();
      found.push(...body.items);
      if (body.items.length === 0 || found.length >= body.total) return found;
    }
  };

  describe('the world', () => {
    it('has anomalies in both provinces, and every batch of the world', async () => {
      const anomalies = await anomalyRows();
      expect(anomalies.some((row) => row.domicile_code.startsWith('1502'))).toBe(true);
      expect(anomalies.some((row) => row.domicile_code.startsWith('3607'))).toBe(true);
      expect(Object.keys(fx.world.batches).sort()).toEqual(Object.keys(worldBatches).sort());
    });
  });

  describe('a receiver has held what it received, however its submissions were cut', () => {
    /**
     * Bayan ships two batches to dingnan in May. Dingnan records receiving and separating the first in one
     * submission; the second it receives in one submission and separates in the next. It held both, so it
     * and the Ganzhou officials (whose division holds only the receiver) may trace both.
     */
    it('ent.dingnan and ganzhou.nr may trace both batches', async () => {
      const bayan = fx.clients['ent.bayan'];
      const dingnan = fx.clients['ent.dingnan'];
      const codes = { bayan: creditCodeOf(fx, 'bayan'), dingnan: creditCodeOf(fx, 'dingnan') };
      const at = (day: number) => `2026-05-${String(day).padStart(2, '0')}T09:00:00+08:00`;
      const line = (batch: string) => ({ batch, product: 'BASTNAESITE_CONC', mass_kg: 2_000, grade_ppm: 500_000 });
      const submit = async (client: Client, events: unknown[]) => {
        const response = await client.post('/api/v1/flows', { events });
        expect(response.statusCode, response.body).toBe(201);
      };
      await submit(bayan, [
        { event_id: 'BY-P-A', kind: 'produce', event_time: at(2), ...line('BY-2605-A') },
        { event_id: 'BY-P-B', kind: 'produce', event_time: at(2), ...line('BY-2605-B') },
        { event_id: 'BY-S-A', kind: 'ship', event_time: at(3), ...line('BY-2605-A'), counterparty: codes.dingnan },
        { event_id: 'BY-S-B', kind: 'ship', event_time: at(3), ...line('BY-2605-B'), counterparty: codes.dingnan },
      ]);
      const receive = (batch: string) => ({
        event_id: `DN-R-${batch}`,
        kind: 'receive',
        event_time: at(4),
        ...line(batch),
        counterparty: codes.bayan,
      });
      const separate = (batch: string) => ({
        event_id: `DN-T-${batch}`,
        kind: 'transform',
        event_time: at(6),
        inputs: [{ ...line(batch), batch_maker: codes.bayan }],
        outputs: [{ batch: `DN-CE-${batch}`, product: 'CEO2', mass_kg: 900 }],
      });
      await submit(dingnan, [receive('BY-2605-A'), separate('BY-2605-A')]);
      await submit(dingnan, [receive('BY-2605-B')]);
      await submit(dingnan, [separate('BY-2605-B')]);
      const statuses: Record<string, number> = {};
      for (const code of ['BY-2605-A', 'BY-2605-B']) {
        const id = (await fx.clients.miit.get(`/api/v1/batches?code=${code}`)).json<{ id: number }[]>()[0]!.id;
        for (const login of ['ent.dingnan', 'ganzhou.nr'] as const)
          for (const path of ['', '/trace/back', '/trace/forward'])
            statuses[`${login} GET ${code}${path}`] = (
              await fx.clients[login].get(`/api/v1/batches/${id}${path}`)
            ).statusCode;
      }
      expect(statuses).toEqual(Object.fromEntries(Object.keys(statuses).map((key) => [key, 200])));
    });
  });

  describe('reads leak nothing (run before the matrix changes data)', () => {
    const worldKeys = ['bayan', 'kundulun', 'longnan', 'dingnan'] as const;

    it.each(['ent.bayan', 'ent.kundulun', 'ent.dingnan'] as const)(
      "%s cannot read another enterprise's flows, submissions or declarations by naming it",
      async (login) => {
        const client = fx.clients[login];
        const own = login.slice(4);
        for (const key of worldKeys) {
          const id = enterpriseId(fx, key);
          const urls = [
            `/api/v1/flows?enterprise_id=${id}&period=${PERIOD}`,
            `/api/v1/flows?enterprise_id=${id}&period=${PERIOD}&kind=ship`,
            `/api/v1/flows?enterprise_id=${id}&period=${PERIOD}&batch=KD-PRND-01`,
            `/api/v1/declarations?enterprise_id=${id}&year=2026`,
          ];
          for (const url of urls) {
            const response = await client.get(url);
            if (key === own) expect(response.statusCode, `${login} ${url}`).toBe(200);
            else expectProblem(response, 404, 'not_found');
          }
        }
        for (const [key, submission] of Object.entries(fx.world.submissions)) {
          const response = await client.get(`/api/v1/flows/submissions/${submission}`);
          if (key === own) expect(response.statusCode).toBe(200);
          else expectProblem(response, 404, 'not_found');
        }
        // What it is shown of its own flows names its trading partners, never another's flows.
        const mine = await client.get(`/api/v1/flows?enterprise_id=${enterpriseId(fx, own)}&period=${PERIOD}`);
        const events = mine.json<{ items: { event_id: string; submission_id: string }[] }>().items;
        expect(events.length).toBeGreaterThan(0);
        const prefix = { bayan: 'BY-', kundulun: 'KD-', dingnan: 'DN-' }[own]!;
        for (const event of events) expect(event.event_id.startsWith(prefix), event.event_id).toBe(true);
      },
    );

    it('an enterprise cannot record flows as another enterprise: 422, and nothing is written', async () => {
      const before = await worldDigest(db());
      const response = await fx.clients['ent.bayan'].post('/api/v1/flows', {
        events: [
          {
            event_id: 'FORGED-1',
            kind: 'produce',
            enterprise: creditCodeOf(fx, 'dingnan'),
            event_time: '2026-05-02T10:00:00+08:00',
            batch: 'FORGED-01',
            product: 'ND2O3',
            mass_kg: 10,
          },
        ],
      });
      const problem = expectProblem(response, 422);
      expect(problem.errors?.map((error) => error.field)).toContain('enterprise');
      expect(await worldDigest(db())).toBe(before);
    });

    it.each(granted.anomalyRead)('%s: the anomaly list holds exactly the anomalies in scope', async (login) => {
      const expected = (await anomalyRows())
        .filter((row) =>
          seesEnterprise(login, {
            key: Object.values(fx.enterprises).find((item) => item.id === row.enterprise_id)?.key ?? '',
            domicile_code: row.domicile_code,
          }),
        )
        .map((row) => row.id)
        .sort();
      const listed = await listedAnomalies(fx.clients[login]);
      expect(listed.map((row) => row.id).sort()).toEqual(expected);
      expect(expected.length, `${login} has anomalies to see`).toBeGreaterThan(0);
    });

    it("a Baotou official's anomaly list holds no Ganzhou anomaly, however it is filtered", async () => {
      const client = fx.clients['baotou.iit'];
      const all = await listedAnomalies(client);
      expect(all.map((row) => row.enterprise_id)).toContain(enterpriseId(fx, 'bayan'));
      for (const row of all) expect(row.domicile_code.startsWith('1502'), row.domicile_code).toBe(true);
      for (const key of ['dingnan', 'longnan'] as const) {
        const filtered = await listedAnomalies(client, `&enterprise_id=${enterpriseId(fx, key)}`);
        expect(filtered, `baotou.iit filtering by ${key}`).toEqual([]);
      }
      expectProblem(await client.get(`/api/v1/anomalies/${fx.world.anomalies.dingnan}`), 404, 'not_found');
      // And the other way round.
      const ganzhou = await listedAnomalies(fx.clients['ganzhou.nr']);
      for (const row of ganzhou) expect(row.domicile_code.startsWith('3607'), row.domicile_code).toBe(true);
    });

    it('a Ganzhou official cannot move a Baotou anomaly, nor a Baotou official a Ganzhou one (404, unchanged)', async () => {
      for (const [login, id] of [
        ['ganzhou.nr', fx.world.anomalies.bayan],
        ['baotou.iit', fx.world.anomalies.dingnan],
      ] as const) {
        const version = await anomalyVersion(id);
        const before = await worldDigest(db());
        const response = await fx.clients[login].post(`/api/v1/anomalies/${id}/transitions`, {
          expected_version: version,
          status: 'explained',
          note: 'out of scope',
        });
        expectProblem(response, 404, 'not_found');
        expect(await anomalyVersion(id)).toBe(version);
        expect(await worldDigest(db())).toBe(before);
      }
      // Enterprises and oversight read anomalies but move none, not even their own.
      for (const login of ['ent.bayan', 'oversight'] as const) {
        const id = fx.world.anomalies.bayan;
        const version = await anomalyVersion(id);
        const response = await fx.clients[login].post(`/api/v1/anomalies/${id}/transitions`, {
          expected_version: version,
          status: 'explained',
          note: 'not mine to move',
        });
        expectProblem(response, 403, 'forbidden');
        expect(await anomalyVersion(id)).toBe(version);
      }
    });

    const forward = async (login: 'ent.bayan' | 'ent.kundulun', code: WorldBatch) => {
      const response = await fx.clients[login].get(`/api/v1/batches/${fx.world.batches[code]}/trace/forward`);
      expect(response.statusCode, response.body).toBe(200);
      return { body: response.body, movements: response.json<{ movements: Movement[] }>().movements };
    };

    it("trace forward as ent.bayan does not name kundulun's or dingnan's customers", async () => {
      const { body, movements } = await forward('ent.bayan', 'BY-2603-01');
      const bayan = fx.enterprises.bayan!;
      // The lineage reaches kundulun's shipment to dingnan, dingnan's receipt and export, kundulun's export.
      expect(movements.length).toBeGreaterThanOrEqual(6);
      for (const movement of movements) {
        const named = movement.enterprise?.credit_code;
        if (named === bayan.credit_code) continue;
        if (named === creditCodeOf(fx, 'kundulun') && movement.counterparty_name === bayan.name) continue;
        expect(movement, `movement ${movement.kind} of batch ${movement.batch_id}`).toMatchObject({
          enterprise: null,
          counterparty_name: null,
          event_id: '',
        });
      }
      // Kundulun's receipt of bayan's ore is bayan's business; what kundulun did next is not.
      expect(movements.filter((movement) => movement.enterprise?.credit_code === creditCodeOf(fx, 'kundulun'))).toEqual(
        [expect.objectContaining({ kind: 'receive', event_id: 'KD-R-1' })],
      );
      const dingnan = fx.enterprises.dingnan!;
      for (const secret of [dingnan.id, dingnan.name, dingnan.credit_code, DINGNAN_CUSTOMER, KUNDULUN_CUSTOMER])
        expect(body, secret).not.toContain(secret);
    });

    it("trace forward as ent.kundulun names its own customer, not dingnan's", async () => {
      const { body, movements } = await forward('ent.kundulun', 'KD-PRND-01');
      const kundulun = fx.enterprises.kundulun!;
      const dingnan = fx.enterprises.dingnan!;
      const byKind = (kind: string) => movements.filter((movement) => movement.kind === kind);
      expect(byKind('ship')).toEqual([
        expect.objectContaining({ event_id: 'KD-S-1', counterparty_name: dingnan.name }),
      ]);
      expect(byKind('receive')).toEqual([
        expect.objectContaining({
          event_id: 'DN-R-2',
          enterprise: { name: dingnan.name, credit_code: dingnan.credit_code },
          counterparty_name: kundulun.name,
        }),
      ]);
      expect(byKind('export')).toEqual([
        expect.objectContaining({ event_id: '', enterprise: null, counterparty_name: null }),
      ]);
      expect(body).not.toContain(DINGNAN_CUSTOMER);
      // Dingnan, tracing the same batch, sees its own export and kundulun's shipment to it.
      const asDingnan = await fx.clients['ent.dingnan'].get(
        `/api/v1/batches/${fx.world.batches['KD-PRND-01']}/trace/forward`,
      );
      expect(asDingnan.statusCode).toBe(200);
      expect(asDingnan.body).toContain(DINGNAN_CUSTOMER);
    });

    it('an enterprise that neither made nor held a batch finds nothing by searching its code and maker', async () => {
      for (const [login, code, maker] of [
        ['ent.bayan', 'KD-PRND-01', 'kundulun'],
        ['ent.bayan', 'LN-2603-01', 'longnan'],
        ['ent.kundulun', 'LN-2603-01', 'longnan'],
        ['ent.dingnan', 'BY-2603-01', 'bayan'],
      ] as const) {
        const response = await fx.clients[login].get(`/api/v1/batches?code=${code}&maker=${creditCodeOf(fx, maker)}`);
        expect(response.statusCode).toBe(200);
        expect(response.json(), `${login} searching ${code}`).toEqual([]);
        expectProblem(
          await fx.clients[login].get(`/api/v1/batches/${fx.world.batches[code]}/trace/back`),
          404,
          'not_found',
        );
      }
    });

    it("the declaration board is for officials, each seeing only its division's enterprises", async () => {
      for (const login of ['ent.bayan', 'ent.dingnan'] as const)
        expectProblem(await fx.clients[login].get(`/api/v1/declarations/board?period=${PERIOD}`), 403, 'forbidden');
      const board = await fx.clients['baotou.iit'].get(`/api/v1/declarations/board?period=${PERIOD}`);
      expect(board.statusCode).toBe(200);
      const ids = board.json<{ enterprise_id: string }[]>().map((item) => item.enterprise_id);
      expect(ids).toEqual(expect.arrayContaining([enterpriseId(fx, 'bayan'), enterpriseId(fx, 'kundulun')]));
      for (const id of ids) {
        const row = Object.values(fx.enterprises).find((item) => item.id === id);
        expect(row?.domicile_code.startsWith('1502'), row?.name).toBe(true);
      }
    });

    it('a sealed month cannot be recorded into: new March events are refused', async () => {
      const before = await worldDigest(db());
      const response = await fx.clients['ent.bayan'].post('/api/v1/flows', {
        events: [
          {
            event_id: 'BY-P-LATE',
            kind: 'produce',
            event_time: march(28),
            batch: 'BY-2603-99',
            product: 'BASTNAESITE_CONC',
            mass_kg: 10,
            grade_ppm: 500_000,
          },
        ],
      });
      expectProblem(response, 422);
      expect(await worldDigest(db())).toBe(before);
    });
  });

  describe('the route matrix', () => {
    it('covers the flow, declaration, trace, certificate, check and anomaly routes', () => {
      expect(new Set(flowsMatrix().map((item) => item.route))).toEqual(
        new Set([
          'POST /api/v1/flows',
          'GET /api/v1/flows',
          'GET /api/v1/flows/submissions/{id}',
          'GET /api/v1/declarations',
          'GET /api/v1/declarations/board',
          'POST /api/v1/declarations',
          'GET /api/v1/batches',
          'GET /api/v1/batches/{id}',
          'GET /api/v1/batches/{id}/trace/back',
          'GET /api/v1/batches/{id}/trace/forward',
          'POST /api/v1/batches/{id}/certificates',
          'GET /api/v1/public/certificates/{code}',
          'POST /api/v1/checks/runs',
          'GET /api/v1/anomalies',
          'GET /api/v1/anomalies/{id}',
          'POST /api/v1/anomalies/{id}/transitions',
        ]),
      );
    });

    it.each(flowsMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, flowsCallers)).toEqual([]);
      },
    );
  });
});
