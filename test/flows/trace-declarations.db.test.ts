import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { creditCodes, enterpriseIds, march, mineEvents, plantEvents } from './flow-world.ts';

interface Node {
  id: number;
  code: string;
}

describe('trace, certificates, declarations, amendments and anomalies', () => {
  let context: TestContext;
  let mine: Client;
  let plant: Client;
  let miit: Client;
  let baotou: Client;
  let ganzhou: Client;
  let dingnan: Client;
  let codes: Record<string, string>;
  let ids: Record<string, string>;
  const batch = async (client: Client, code: string): Promise<Node> => {
    const found = await client.get(`/api/v1/batches?code=${code}`);
    expect(found.statusCode, found.body).toBe(200);
    return found.json<Node[]>()[0]!;
  };

  beforeAll(async () => {
    context = await startTestApp();
    [mine, plant, miit, baotou, ganzhou, dingnan] = (await Promise.all(
      ['ent.bayan', 'ent.kundulun', 'miit', 'baotou.iit', 'ganzhou.nr', 'ent.dingnan'].map((login) =>
        context.as(login),
      ),
    )) as [Client, Client, Client, Client, Client, Client];
    codes = await creditCodes(context.database.db);
    ids = await enterpriseIds(context.database.db);
    expect((await mine.post('/api/v1/flows', { events: mineEvents(codes) })).statusCode).toBe(201);
    expect((await plant.post('/api/v1/flows', { events: plantEvents(codes) })).statusCode).toBe(201);
  });
  afterAll(() => context.close());

  it('traces an oxide back to its two mine batches with exact kg, shares and paths', async () => {
    const oxide = await batch(plant, 'KD-PRND-01');
    const response = await plant.get(`/api/v1/batches/${oxide.id}/trace/back`);
    expect(response.statusCode, response.body).toBe(200);
    const trace = response.json<{
      origins: { batch: Node; reo_kg: number; share_ppm: number; path: number[] }[];
      edges: unknown[];
    }>();
    expect(trace.origins.map((origin) => [origin.batch.code, origin.reo_kg, origin.share_ppm])).toEqual([
      ['BY-2603-01', 2000, 666_667],
      ['BY-2603-02', 1000, 333_333],
    ]);
    for (const origin of trace.origins) expect(origin.path).toEqual([oxide.id, origin.batch.id]);
    expect(trace.edges).toHaveLength(2);
    expect((await baotou.get(`/api/v1/batches/${oxide.id}/trace/back`)).statusCode).toBe(200);
    expectProblem(await dingnan.get(`/api/v1/batches/${oxide.id}/trace/back`), 404, 'not_found');
    expectProblem(await ganzhou.get(`/api/v1/batches/${oxide.id}/trace/back`), 404, 'not_found');
  });

  it('traces a mine batch forward to the oxides, the plant and the export; the mine does not learn who bought abroad', async () => {
    const concentrate = await batch(mine, 'BY-2603-01');
    const asMinistry = (await miit.get(`/api/v1/batches/${concentrate.id}/trace/forward`)).json<{
      nodes: Node[];
      movements: {
        kind: string;
        enterprise: { name: string } | null;
        country: string | null;
        mass_kg: number;
        path: number[];
      }[];
    }>();
    expect(asMinistry.nodes.map((node) => node.code).sort()).toEqual(['BY-2603-01', 'KD-LA-01', 'KD-PRND-01']);
    expect(asMinistry.movements.map((move) => [move.kind, move.mass_kg, move.country])).toEqual([
      ['ship', 20_000, null],
      ['receive', 20_000, null],
      ['export', 5_000, 'DE'],
    ]);
    const exported = asMinistry.movements.find((move) => move.kind === 'export')!;
    expect(exported.path.length).toBe(2);
    const asMine = (await mine.get(`/api/v1/batches/${concentrate.id}/trace/forward`)).json<{
      movements: { kind: string; enterprise: unknown; counterparty_name: string | null }[];
    }>();
    const theirExport = asMine.movements.find((move) => move.kind === 'export')!;
    expect(theirExport.enterprise).toBeNull();
    expect(theirExport.counterparty_name).toBeNull();
    expect(asMine.movements.find((move) => move.kind === 'receive')!.enterprise).not.toBeNull();
  });

  it('seals a month once, refuses plain events in it afterwards, and takes an amendment that re-makes a batch', async () => {
    const extra = {
      event_id: 'BY-P-3',
      kind: 'produce',
      event_time: march(25),
      batch: 'BY-2603-03',
      product: 'BASTNAESITE_CONC',
      mass_kg: 5_000,
      grade_ppm: 500_000,
    };
    expect((await mine.post('/api/v1/flows', { events: [extra] })).statusCode).toBe(201);
    const sealed = await mine.post('/api/v1/declarations', { period: '2026-03' });
    expect(sealed.statusCode, sealed.body).toBe(201);
    expect(sealed.json()).toMatchObject({ version: 1, event_count: 5, late: true });
    expectProblem(await mine.post('/api/v1/declarations', { period: '2026-03' }), 409, 'conflict');
    const plain = await mine.post('/api/v1/flows', { events: [{ ...extra, event_id: 'BY-P-4', batch: 'BY-2603-04' }] });
    expect(expectProblem(plain, 422, 'invalid').errors?.[0]?.message).toContain('sealed');
    const usedElsewhere = await mine.post('/api/v1/flows', {
      events: [
        {
          event_id: 'BY-P-2b',
          kind: 'produce',
          event_time: march(3),
          batch: 'BY-2603-02',
          product: 'BASTNAESITE_CONC',
          mass_kg: 10_500,
          grade_ppm: 480_000,
          amends: ['BY-P-2'],
          reason: '复磅',
        },
      ],
    });
    expect(expectProblem(usedElsewhere, 422, 'invalid').errors?.[0]?.message).toContain('later events use');
    const amendment = await mine.post('/api/v1/flows', {
      events: [
        { ...extra, event_id: 'BY-P-3b', mass_kg: 5_200, amends: ['BY-P-3'], reason: '复磅更正：地磅校准后重称' },
      ],
    });
    expect(amendment.statusCode, amendment.body).toBe(201);
    const held = await sql<{ mass_kg: string }>`
      SELECT h.mass_kg FROM batch_holding h JOIN flow_batch b ON b.id = h.batch_id WHERE b.code = 'BY-2603-03'`.execute(
      context.database.db,
    );
    expect(held.rows).toEqual([{ mass_kg: '5200' }]);
    const lines = (await mine.get(`/api/v1/flows?enterprise_id=${ids.bayan}&period=2026-03&batch=BY-2603-03`)).json<{
      items: { event_id: string; superseded: boolean }[];
    }>();
    expect(lines.items.map((line) => [line.event_id, line.superseded]).sort()).toEqual([
      ['BY-P-3', true],
      ['BY-P-3b', false],
    ]);
    const months = (await mine.get(`/api/v1/declarations?enterprise_id=${ids.bayan}&year=2026`)).json<
      { period: string; status: string; amendments_since_seal: number }[]
    >();
    expect(months.find((month) => month.period === '2026-03')).toMatchObject({
      status: 'late',
      amendments_since_seal: 1,
    });
    const again = await mine.post('/api/v1/declarations', { period: '2026-03' });
    expect(again.json()).toMatchObject({ version: 2, event_count: 6 });
    // Quota: 14,800 kg consumed, then 2,500 → 2,600 kg for the amended batch: a return and a new consumption.
    const consumption = await sql<{ kind: string; reo_kg: string }>`
      SELECT kind, reo_kg FROM ledger_entry WHERE enterprise_id = ${ids.bayan} ORDER BY id`.execute(
      context.database.db,
    );
    expect(consumption.rows.map((row) => `${row.kind}:${row.reo_kg}`)).toEqual([
      'consume:14800',
      'consume:2500',
      'consume:100',
    ]);
  });

  it('shows officials a board of their jurisdiction, and refuses a month that has not ended', async () => {
    const board = (await baotou.get('/api/v1/declarations/board?period=2026-03')).json<
      { enterprise_name: string; status: string }[]
    >();
    expect(board.find((row) => row.enterprise_name.includes('巴彦'))?.status).toBe('late');
    expect(board.find((row) => row.enterprise_name.includes('昆都仑'))?.status).toBe('missing');
    expect(board.some((row) => row.enterprise_name.includes('定南'))).toBe(false);
    expectProblem(await mine.get('/api/v1/declarations/board?period=2026-03'), 403, 'forbidden');
    expectProblem(await mine.post('/api/v1/declarations', { period: '2099-01' }), 422, 'invalid');
  });

  it('issues a certificate whose public check follows the declarations', async () => {
    const oxide = await batch(plant, 'KD-PRND-01');
    const issued = await plant.post(`/api/v1/batches/${oxide.id}/certificates`);
    expect(issued.statusCode, issued.body).toBe(201);
    const certificate = issued.json<{ code: string; qr_svg: string; content: { origins: { reo_kg: number }[] } }>();
    expect(certificate.qr_svg).toContain('<svg');
    expect(certificate.content.origins.reduce((sum, origin) => sum + origin.reo_kg, 0)).toBe(3000);
    const same = await plant.post(`/api/v1/batches/${oxide.id}/certificates`);
    expect(same.statusCode).toBe(200);
    expect(same.json<{ code: string }>().code).toBe(certificate.code);
    const before = (await context.anonymous.get(`/api/v1/public/certificates/${certificate.code}`)).json<{
      status: string;
    }>();
    expect(before.status).toBe('not_yet_sealed');
    expect((await plant.post('/api/v1/declarations', { period: '2026-03' })).statusCode).toBe(201);
    const after = await context.anonymous.get(`/api/v1/public/certificates/${certificate.code}`);
    expect(after.json()).toMatchObject({ status: 'verified', code: certificate.code });
    expect(Object.keys(after.json<Record<string, unknown>>()).sort()).toEqual([
      'code',
      'content',
      'content_sm3',
      'declarations',
      'issued_at',
      'qr_svg',
      'status',
    ]);
    expectProblem(await context.anonymous.get('/api/v1/public/certificates/00000-00000-00000-00000'), 404, 'not_found');
  });

  it('turns the checks into anomalies officials in scope can move, once per finding', async () => {
    const run = await miit.post('/api/v1/checks/runs', { period: '2026-03' });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json<{ by_rule: Record<string, number> }>().by_rule).toMatchObject({ quota_exceeded: 2 });
    const rerun = await miit.post('/api/v1/checks/runs', { period: '2026-03' });
    expect(rerun.json()).toMatchObject({ anomalies_new: 0 });
    expectProblem(await baotou.post('/api/v1/checks/runs', { period: '2026-03' }), 403, 'forbidden');
    const list = (await baotou.get('/api/v1/anomalies?period=2026-03&rule=quota_exceeded')).json<{
      items: { id: string; enterprise_id: string; version: number; evidence: unknown[] }[];
    }>();
    const mineQuota = list.items.find((item) => item.enterprise_id === ids.bayan)!;
    expect(mineQuota.evidence.length).toBeGreaterThan(0);
    expectProblem(await ganzhou.get(`/api/v1/anomalies/${mineQuota.id}`), 404, 'not_found');
    expectProblem(await dingnan.get(`/api/v1/anomalies/${mineQuota.id}`), 404, 'not_found');
    expect((await mine.get(`/api/v1/anomalies/${mineQuota.id}`)).statusCode).toBe(200);
    expectProblem(
      await mine.post(`/api/v1/anomalies/${mineQuota.id}/transitions`, {
        expected_version: 1,
        status: 'explained',
        note: 'x',
      }),
      403,
      'forbidden',
    );
    const moved = await baotou.post(`/api/v1/anomalies/${mineQuota.id}/transitions`, {
      expected_version: 1,
      status: 'confirmed',
      note: '核实：无配额仍生产',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      status: 'confirmed',
      version: 2,
      transitions: [{ from_status: 'open', to_status: 'confirmed' }],
    });
    expectProblem(
      await baotou.post(`/api/v1/anomalies/${mineQuota.id}/transitions`, {
        expected_version: 1,
        status: 'closed',
        note: 'x',
      }),
      409,
      'conflict',
    );
    expectProblem(
      await baotou.post(`/api/v1/anomalies/${mineQuota.id}/transitions`, {
        expected_version: 2,
        status: 'explained',
        note: 'x',
      }),
      422,
      'invalid',
    );
  });
});
