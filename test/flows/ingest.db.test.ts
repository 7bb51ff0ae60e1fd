import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { creditCodes, enterpriseIds, march, mineEvents, plantEvents } from './flow-world.ts';

describe('recording flows through the JSON API', () => {
  let context: TestContext;
  let mine: Client;
  let plant: Client;
  let codes: Record<string, string>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    context = await startTestApp();
    [mine, plant] = await Promise.all([context.as('ent.bayan'), context.as('ent.kundulun')]);
    codes = await creditCodes(context.database.db);
    ids = await enterpriseIds(context.database.db);
  });
  afterAll(() => context.close());

  it('stores a valid chain, computes REO, carries origin shares, and moves holdings', async () => {
    const first = await mine.post('/api/v1/flows', { events: mineEvents(codes) });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ received: 4, accepted: 4, unchanged: 0, rejected: 0, replayed: false });
    const second = await plant.post('/api/v1/flows', { events: plantEvents(codes) });
    expect(second.statusCode, second.body).toBe(201);
    const db = context.database.db;
    const origins = await sql<{ code: string; origin: string; reo_kg: string }>`
      SELECT b.code, o.code AS origin, bo.reo_kg FROM batch_origin bo
      JOIN flow_batch b ON b.id = bo.batch_id JOIN flow_batch o ON o.id = bo.origin_id
      WHERE b.code = 'KD-PRND-01' ORDER BY o.code`.execute(db);
    expect(origins.rows).toEqual([
      { code: 'KD-PRND-01', origin: 'BY-2603-01', reo_kg: '2000' },
      { code: 'KD-PRND-01', origin: 'BY-2603-02', reo_kg: '1000' },
    ]);
    const holdings = await sql<{ code: string; enterprise_id: string; mass_kg: string }>`
      SELECT b.code, h.enterprise_id, h.mass_kg FROM batch_holding h JOIN flow_batch b ON b.id = h.batch_id
      ORDER BY b.code, h.enterprise_id`.execute(db);
    const held = (code: string, who: string) =>
      holdings.rows.find((row) => row.code === code && row.enterprise_id === ids[who])?.mass_kg ?? '0';
    expect(held('BY-2603-01', 'bayan')).toBe('0');
    expect(held('BY-2603-01', 'kundulun')).toBe('0');
    expect(held('KD-LA-01', 'kundulun')).toBe('6000');
    const quota = await sql<{ reo_kg: string; over_balance: boolean; category: string }>`
      SELECT reo_kg, over_balance, category FROM ledger_entry WHERE kind = 'consume' ORDER BY category`.execute(db);
    // Mining: 20,000 × 50% + 10,000 × 48% = 14,800 kg REO; separation: 3,000 + 11,000 kg of oxides.
    expect(quota.rows.map((row) => [row.category, row.reo_kg, row.over_balance])).toEqual([
      ['mining_rock', '14800', true],
      ['separation', '14000', true],
    ]);
  });

  it('answers a replayed submission with its first answer, and changes nothing', async () => {
    const before = await worldDigest(context.database.db);
    const again = await mine.post('/api/v1/flows', { events: mineEvents(codes) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ accepted: 4, replayed: true });
    expect(await worldDigest(context.database.db)).toEqual(before);
  });

  it('refuses a whole submission when one row is bad, naming the row and field, and stores nothing', async () => {
    const before = await worldDigest(context.database.db);
    const response = await mine.post('/api/v1/flows', {
      events: [
        {
          event_id: 'BY-P-9',
          kind: 'produce',
          event_time: march(8),
          batch: 'BY-2603-09',
          product: 'BASTNAESITE_CONC',
          mass_kg: 1000,
          grade_ppm: 500_000,
        },
        {
          event_id: 'BY-P-10',
          kind: 'produce',
          event_time: march(8),
          batch: 'BY-2603-10',
          product: 'NO_SUCH',
          mass_kg: 1000,
          grade_ppm: 500_000,
        },
        {
          event_id: 'BY-P-11',
          kind: 'produce',
          event_time: march(8),
          batch: 'BY-2603-11',
          product: 'BASTNAESITE_CONC',
          mass_kg: 10.5,
          grade_ppm: 500_000,
        },
        {
          event_id: 'BY-P-12',
          kind: 'produce',
          event_time: '2099-01-01T00:00:00+08:00',
          batch: 'BY-2603-12',
          product: 'BASTNAESITE_CONC',
          mass_kg: 5,
          grade_ppm: 500_000,
        },
        {
          event_id: 'BY-S-9',
          kind: 'ship',
          event_time: march(9),
          batch: 'BY-2603-09',
          product: 'BASTNAESITE_CONC',
          mass_kg: 2000,
          grade_ppm: 500_000,
          counterparty: codes.kundulun,
        },
        {
          event_id: 'BY-S-1',
          kind: 'ship',
          event_time: march(9),
          batch: 'BY-2603-01',
          product: 'BASTNAESITE_CONC',
          mass_kg: 1,
          grade_ppm: 500_000,
          counterparty: codes.kundulun,
        },
      ],
    });
    const errors = expectProblem(response, 422, 'invalid').errors ?? [];
    expect(errors.map((error) => [error.row, error.field])).toEqual([
      [2, 'product'],
      [3, 'mass_kg'],
      [4, 'event_time'],
      [5, 'mass_kg'],
      [6, 'event_id'],
    ]);
    expect(errors[3]!.message).toContain('you hold 1000 kg');
    expect(await worldDigest(context.database.db)).toEqual(before);
  });

  it('refuses a transform whose outputs carry more REO than its inputs', async () => {
    const response = await plant.post('/api/v1/flows', {
      events: [
        {
          event_id: 'KD-T-9',
          kind: 'transform',
          event_time: march(21),
          inputs: [{ batch: 'KD-LA-01', product: 'LA2O3', mass_kg: 1000 }],
          outputs: [{ batch: 'KD-LA-02', product: 'LA2O3', mass_kg: 1200 }],
        },
      ],
    });
    expect(expectProblem(response, 422, 'invalid').errors?.[0]).toMatchObject({ row: 1, field: 'outputs' });
  });

  it('names the row and field of unknown counterparties, negative and fractional quantities and reused ids', async () => {
    const before = await worldDigest(context.database.db);
    const bad = (id: string, extra: Record<string, unknown>) => ({
      event_id: id,
      kind: 'ship',
      event_time: march(10),
      batch: 'BY-2603-01',
      product: 'BASTNAESITE_CONC',
      mass_kg: 1,
      grade_ppm: 500_000,
      counterparty: codes.kundulun,
      ...extra,
    });
    const response = await mine.post('/api/v1/flows', {
      events: [
        bad('X-1', { counterparty: '91150206MA0B9999X1' }),
        bad('X-2', { counterparty: '911502060000000001' }),
        bad('X-3', { mass_kg: -5 }),
        bad('X-4', { grade_ppm: 12.5 }),
        bad('X-5', { kind: 'teleport' }),
        bad('X-6', { colour: 'red' }),
        {
          event_id: 'X-7',
          kind: 'produce',
          event_time: march(10),
          batch: 'BY-2603-77',
          product: 'BASTNAESITE_CONC',
          mass_kg: 10,
          grade_ppm: 500_000,
        },
        {
          event_id: 'X-7',
          kind: 'produce',
          event_time: march(10),
          batch: 'BY-2603-78',
          product: 'BASTNAESITE_CONC',
          mass_kg: 11,
          grade_ppm: 500_000,
        },
        {
          event_id: 'X-8',
          kind: 'produce',
          event_time: '2026-03-10 10:00',
          batch: 'BY-2603-79',
          product: 'BASTNAESITE_CONC',
          mass_kg: 10,
          grade_ppm: 500_000,
        },
      ],
    });
    const errors = expectProblem(response, 422, 'invalid').errors ?? [];
    expect(errors.map((error) => [error.row, error.event_id, error.field])).toEqual([
      [1, 'X-1', 'counterparty'],
      [2, 'X-2', 'counterparty'],
      [3, 'X-3', 'mass_kg'],
      [4, 'X-4', 'grade_ppm'],
      [5, 'X-5', 'kind'],
      [6, 'X-6', '(event)'],
      [8, 'X-7', 'event_id'],
      [9, 'X-8', 'event_time'],
    ]);
    expect(errors[1]!.message).toContain('check character');
    expect(errors[5]!.message).toContain('colour');
    expect(await worldDigest(context.database.db)).toEqual(before);
  });

  it('stores the good rows and lists the bad ones when asked to proceed', async () => {
    const response = await mine.post('/api/v1/flows?on_error=proceed', {
      events: [
        {
          event_id: 'BY-P-20',
          kind: 'produce',
          event_time: march(15),
          batch: 'BY-2603-20',
          product: 'BASTNAESITE_CONC',
          mass_kg: 100,
          grade_ppm: 500_000,
        },
        {
          event_id: 'BY-P-21',
          kind: 'produce',
          event_time: march(15),
          batch: 'BY-2603-21',
          product: 'NOPE',
          mass_kg: 100,
          grade_ppm: 500_000,
        },
      ],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ accepted: 1, rejected: 1, errors: [{ row: 2, field: 'product' }] });
  });

  it('refuses a request over the stated limit before reading a row', async () => {
    const events = Array.from({ length: 5_001 }, (_, index) => ({ event_id: `L-${index}` }));
    expectProblem(await mine.post('/api/v1/flows', { events }), 400, 'validation');
  });
});
