import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postConsumption,
  reverseConsumption,
  enterpriseQuota,
  trialBalance,
} from '../../src/server/modules/ledger/ledger.service.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

const memo = {
  economic_goals: 'x',
  reserves_and_variety: 'x',
  industry_development: 'x',
  ecological_protection: 'x',
  market_demand: 'x',
};

describe('quota ledger', () => {
  let context: TestContext;
  let miit: Client;
  let enterprises: { id: string }[];

  beforeAll(async () => {
    context = await startTestApp();
    miit = await context.as('miit');
    const [review, mnr, ndrc] = await Promise.all(['miit.review', 'mnr', 'ndrc'].map((login) => context.as(login)));
    await miit.post('/api/v1/indicator-plans', {
      year: 2026,
      memo,
      weights: { capacity: 1, technical: 0, environment: 0, safety: 0 },
      penalty_reduction_ppm: 0,
    });
    const batch = (
      await miit.post('/api/v1/indicator-plans/2026/batches', {
        name: '第一批',
        totals: [{ category: 'mining_rock', total_reo_kg: 1000 }],
      })
    ).json<{ id: string }>();
    await mnr!.post(`/api/v1/indicator-batches/${batch.id}/cosign`);
    await ndrc!.post(`/api/v1/indicator-batches/${batch.id}/cosign`);
    await miit.post(`/api/v1/indicator-batches/${batch.id}/submit`);
    const approved = await review!.post(`/api/v1/indicator-batches/${batch.id}/approve`, {
      approval_document_no: '国函〔2026〕1号',
      approval_date: '2026-01-20',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    enterprises = (await miit.get('/api/v1/enterprises?kind=mining&page_size=2')).json<{ items: { id: string }[] }>()
      .items;
  });
  afterAll(async () => context.close());

  it('never over-allocates when two officials take from the pool at the same moment', async () => {
    const adjust = (enterpriseId: string, key: string) =>
      miit.post('/api/v1/ledger/adjustments', {
        key,
        year: 2026,
        category: 'mining_rock',
        enterprise_id: enterpriseId,
        kind: 'adjust',
        reo_kg: 800,
        memo: '追加',
      });
    const [first, second] = await Promise.all([
      adjust(enterprises[0]!.id, 'concurrent-one'),
      adjust(enterprises[1]!.id, 'concurrent-two'),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([201, 409]);
    const refused = first.statusCode === 409 ? first : second;
    expect(refused.json<{ detail: string }>().detail).toContain('Only 200 kg REO remain');
    expect(await trialBalance(context.database.db, 2026)).toMatchObject({ sum: 0 });
  });

  it('replays an adjustment with the same key once', async () => {
    const body = {
      key: 'replay-key-1',
      year: 2026,
      category: 'mining_rock',
      enterprise_id: enterprises[0]!.id,
      kind: 'adjust',
      reo_kg: 100,
      memo: '追加',
    };
    const first = await miit.post('/api/v1/ledger/adjustments', body);
    const again = await miit.post('/api/v1/ledger/adjustments', body);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json<{ id: number }>().id).toBe(first.json<{ id: number }>().id);
    const different = await miit.post('/api/v1/ledger/adjustments', { ...body, reo_kg: 50 });
    expect(different.statusCode).toBe(409);
  });

  it('records consumption past the balance and flags it, never caps it; replays and reversals are exact', async () => {
    const db = context.database.db;
    const holder = (await enterpriseQuota(db, enterprises[0]!.id, 2026)).lines[0]!;
    const start = holder.remaining_reo_kg;
    await db.transaction().execute((tx) =>
      postConsumption(tx, {
        enterpriseId: enterprises[0]!.id,
        year: 2026,
        category: 'mining_rock',
        reoKg: start + 250,
        sourceId: 'flow-1',
        createdBy: 'test',
      }),
    );
    const replay = await db.transaction().execute((tx) =>
      postConsumption(tx, {
        enterpriseId: enterprises[0]!.id,
        year: 2026,
        category: 'mining_rock',
        reoKg: start + 250,
        sourceId: 'flow-1',
        createdBy: 'test',
      }),
    );
    expect(replay.replayed).toBe(true);
    const over = (await enterpriseQuota(db, enterprises[0]!.id, 2026)).lines[0]!;
    expect(over).toMatchObject({ consumed_reo_kg: start + 250, remaining_reo_kg: -250, over_balance: true });
    expect(replay.entry.over_balance).toBe(true);
    await db.transaction().execute((tx) => reverseConsumption(tx, 'flow-1', 'test'));
    expect((await enterpriseQuota(db, enterprises[0]!.id, 2026)).lines[0]).toMatchObject({
      consumed_reo_kg: 0,
      remaining_reo_kg: start,
    });
    await expect(db.transaction().execute((tx) => reverseConsumption(tx, 'flow-1', 'test2'))).resolves.toMatchObject({
      replayed: true,
    });
    expect(await trialBalance(db, 2026)).toMatchObject({ sum: 0 });
  });

  it('refuses to change or delete ledger entries', async () => {
    await expect(sql`UPDATE ledger_entry SET reo_kg = 1`.execute(context.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_entry`.execute(context.database.db)).rejects.toThrow(/append-only/);
  });

  it('shows an enterprise its own quota and no one else’s', async () => {
    const bayan = await context.as('ent.bayan');
    const me = (await bayan.get('/api/v1/auth/me')).json<{ enterprise_id: string }>();
    expect((await bayan.get(`/api/v1/quota/enterprises/${me.enterprise_id}?year=2026`)).statusCode).toBe(200);
    const other = enterprises.find((item) => item.id !== me.enterprise_id)!;
    expect((await bayan.get(`/api/v1/quota/enterprises/${other.id}?year=2026`)).statusCode).toBe(404);
    expect(
      (
        await bayan.post('/api/v1/ledger/adjustments', {
          key: 'sneaky-key',
          year: 2026,
          category: 'mining_rock',
          enterprise_id: me.enterprise_id,
          kind: 'adjust',
          reo_kg: 1,
          memo: 'x',
        })
      ).statusCode,
    ).toBe(403);
  });
});
