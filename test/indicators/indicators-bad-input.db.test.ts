import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

const memo = {
  economic_goals: 'a',
  reserves_and_variety: 'b',
  industry_development: 'c',
  ecological_protection: 'd',
  market_demand: 'e',
};
const weights = { capacity: 60, technical: 15, environment: 15, safety: 10 };

interface Problem {
  status: number;
  errors?: { field: string; message: string }[];
  detail: string;
}

describe('indicators and allocation refuse bad input, precisely, and change nothing', () => {
  let context: TestContext;
  let miit: Client;
  let batchId: string;

  const counts = async () => {
    const db = context.database.db;
    const count = async (
      table: 'indicator_plan' | 'indicator_batch' | 'allocation_run' | 'ledger_entry' | 'audit_entry',
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      plans: await count('indicator_plan'),
      batches: await count('indicator_batch'),
      runs: await count('allocation_run'),
      ledger: await count('ledger_entry'),
      audit: await count('audit_entry'),
    };
  };

  beforeAll(async () => {
    context = await startTestApp();
    miit = await context.as('miit');
    await miit.post('/api/v1/indicator-plans', { year: 2027, memo, weights, penalty_reduction_ppm: 50_000 });
    batchId = (
      await miit.post('/api/v1/indicator-plans/2027/batches', {
        name: '第一批',
        totals: [{ category: 'mining_rock', total_reo_kg: 1_000_000 }],
      })
    ).json<{ id: string }>().id;
  });
  afterAll(async () => context.close());

  const cases: [string, () => Promise<{ statusCode: number; json: <T>() => T }>, number, string][] = [
    [
      'fractional kg',
      () =>
        miit.post('/api/v1/indicator-plans/2027/batches', {
          name: 'x',
          totals: [{ category: 'mining_rock', total_reo_kg: 1.5 }],
        }),
      400,
      'totals.0.total_reo_kg',
    ],
    [
      'negative kg',
      () =>
        miit.post('/api/v1/indicator-plans/2027/batches', {
          name: 'x',
          totals: [{ category: 'mining_rock', total_reo_kg: -1 }],
        }),
      400,
      'totals.0.total_reo_kg',
    ],
    [
      'a category twice',
      () =>
        miit.post('/api/v1/indicator-plans/2027/batches', {
          name: 'x',
          totals: [
            { category: 'mining_rock', total_reo_kg: 1 },
            { category: 'mining_rock', total_reo_kg: 2 },
          ],
        }),
      400,
      'totals.1.category',
    ],
    [
      'separation both whole and split',
      () =>
        miit.post('/api/v1/indicator-plans/2027/batches', {
          name: 'x',
          totals: [
            { category: 'separation', total_reo_kg: 1 },
            { category: 'separation_imported', total_reo_kg: 2 },
          ],
        }),
      400,
      'totals',
    ],
    [
      'unknown category',
      () =>
        miit.post('/api/v1/indicator-plans/2027/batches', {
          name: 'x',
          totals: [{ category: 'gold', total_reo_kg: 1 }],
        }),
      400,
      'totals.0.category',
    ],
    [
      'a second plan for the year',
      () => miit.post('/api/v1/indicator-plans', { year: 2027, memo, weights, penalty_reduction_ppm: 0 }),
      409,
      'year',
    ],
    [
      'all weights zero',
      () =>
        miit.post('/api/v1/indicator-plans', {
          year: 2028,
          memo,
          weights: { capacity: 0, technical: 0, environment: 0, safety: 0 },
          penalty_reduction_ppm: 0,
        }),
      400,
      'weights',
    ],
    [
      'a missing Art. 5 factor',
      () =>
        miit.post('/api/v1/indicator-plans', {
          year: 2028,
          memo: { ...memo, market_demand: undefined },
          weights,
          penalty_reduction_ppm: 0,
        }),
      400,
      'memo.market_demand',
    ],
    [
      'allocating a batch that is not approved',
      () =>
        miit.post('/api/v1/allocation-runs', {
          mode: 'engine',
          batch_id: batchId,
          category: 'mining_rock',
          level: 'national',
        }),
      409,
      '',
    ],
    [
      'what-if with an unknown holder field',
      () =>
        miit.post('/api/v1/allocation/what-if', {
          category: 'mining_rock',
          total_reo_kg: 10,
          weights,
          penalty_reduction_ppm: 0,
          holders: [
            {
              id: 'a',
              cap_reo_kg: 10,
              technical_score: 1,
              environment_score: 1,
              safety_score: 1,
              facts: {
                designated: true,
                mining_licence_valid: true,
                safety_licence_valid: true,
                discharge_permit_ok: true,
                idle: false,
              },
              prior_year_penalties: 0,
              bonus: 1,
            },
          ],
        }),
      400,
      'holders.0.bonus',
    ],
    [
      'what-if with more than the holders can take',
      () =>
        miit.post('/api/v1/allocation/what-if', {
          category: 'mining_rock',
          total_reo_kg: 11,
          weights,
          penalty_reduction_ppm: 0,
          holders: [
            {
              id: 'a',
              cap_reo_kg: 10,
              technical_score: 1,
              environment_score: 1,
              safety_score: 1,
              facts: {
                designated: true,
                mining_licence_valid: true,
                safety_licence_valid: true,
                discharge_permit_ok: true,
                idle: false,
              },
              prior_year_penalties: 0,
            },
          ],
        }),
      422,
      'total_reo_kg',
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, field) => {
    const before = await counts();
    const response = await send();
    expect(response.statusCode).toBe(status);
    const problem = response.json<Problem>();
    if (field) expect(problem.errors?.map((error) => error.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('refuses manual shares to unknown holders, above caps or to the ineligible, naming the share', async () => {
    const [mnr, ndrc, review] = await Promise.all(['mnr', 'ndrc', 'miit.review'].map((login) => context.as(login)));
    await mnr!.post(`/api/v1/indicator-batches/${batchId}/cosign`);
    await ndrc!.post(`/api/v1/indicator-batches/${batchId}/cosign`);
    await miit.post(`/api/v1/indicator-batches/${batchId}/submit`);
    expect(
      (
        await review!.post(`/api/v1/indicator-batches/${batchId}/approve`, {
          approval_document_no: '国函〔2027〕3号',
          approval_date: '2027-01-15',
        })
      ).statusCode,
    ).toBe(200);
    const before = await counts();
    const manual = (shares: { holder_id: string; reo_kg: number }[]) =>
      miit.post('/api/v1/allocation-runs', {
        mode: 'manual',
        batch_id: batchId,
        category: 'mining_rock',
        level: 'national',
        shares,
      });
    const unknown = await manual([{ holder_id: 'group:nobody', reo_kg: 1_000_000 }]);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<Problem>().errors?.[0]?.field).toBe('shares.0.holder_id');
    const aboveCap = await manual([{ holder_id: 'group:northern', reo_kg: 999_999_999 }]);
    expect(aboveCap.json<Problem>().errors?.[0]).toMatchObject({ field: 'shares.0.reo_kg' });
    expect(aboveCap.json<Problem>().detail).toContain('cap');
    expect(await counts()).toEqual(before);
  });
});
