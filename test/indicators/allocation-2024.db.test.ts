import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

interface Batch {
  id: string;
  status: string;
  version: number;
  totals: { category: string; total_reo_kg: number }[];
}
interface Run {
  id: string;
  status: string;
  due_on: string | null;
  shares: { holder_id: string; reo_kg: number; explanation: { reasons?: string[] } }[];
}
interface QuotaLine {
  category: string;
  allocated_reo_kg: number;
  remaining_reo_kg: number;
}

const t = 1000;
const memo = {
  economic_goals: '稳增长，保障战略性新兴产业需求',
  reserves_and_variety: '轻稀土为主，中重稀土从严控制',
  industry_development: '推动集约化、绿色化发展',
  ecological_protection: '离子型稀土矿区生态修复',
  market_demand: '新能源汽车、风电对高性能磁材需求增长',
};

/** The published 2024 first batch, by group, in tonnes REO (test/fixtures, copied from the public figures). */
async function published(): Promise<
  { group: string; mining_rock_t: string; mining_ion_t: string; separation_t: string }[]
> {
  const text = await readFile(new URL('../fixtures/allocation-2024-batch1.csv', import.meta.url), 'utf8');
  return parse(text, { columns: true, comment: '#', skip_empty_lines: true });
}
const groupIds: Record<string, string> = {
  'China Northern Rare Earth Group': 'northern',
  'China Rare Earth Group': 'china-re',
};

describe('2024 first batch: plan, approval, manual allocation, issuance, ledger', () => {
  let context: TestContext;
  let miit: Client;
  let review: Client;
  let mnr: Client;
  let ndrc: Client;
  let batch: Batch;
  const runs = new Map<string, Run>();

  beforeAll(async () => {
    context = await startTestApp();
    [miit, review, mnr, ndrc] = await Promise.all([
      context.as('miit'),
      context.as('miit.review'),
      context.as('mnr'),
      context.as('ndrc'),
    ]);
  });
  afterAll(async () => context.close());

  it('drafts the plan and batch, co-signed by MNR and NDRC, approved by a second MIIT official', async () => {
    const plan = await miit.post('/api/v1/indicator-plans', {
      year: 2024,
      memo,
      weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
      penalty_reduction_ppm: 100_000,
    });
    expect(plan.statusCode).toBe(201);
    const rows = await published();
    const sum = (key: 'mining_rock_t' | 'mining_ion_t' | 'separation_t') =>
      rows.reduce((total, row) => total + Number(row[key]) * t, 0);
    const created = await miit.post('/api/v1/indicator-plans/2024/batches', {
      name: '第一批',
      totals: [
        { category: 'mining_rock', total_reo_kg: sum('mining_rock_t') },
        { category: 'mining_ion_adsorption', total_reo_kg: sum('mining_ion_t') },
        { category: 'separation', total_reo_kg: sum('separation_t') },
      ],
    });
    expect(created.statusCode).toBe(201);
    batch = created.json<Batch>();
    expect(batch.totals).toEqual([
      { category: 'mining_ion_adsorption', total_reo_kg: 10_140 * t },
      { category: 'mining_rock', total_reo_kg: 124_860 * t },
      { category: 'separation', total_reo_kg: 127_000 * t },
    ]);
    expect((await miit.post(`/api/v1/indicator-batches/${batch.id}/submit`)).statusCode).toBe(409); // not co-signed yet
    expect((await mnr.post(`/api/v1/indicator-batches/${batch.id}/cosign`)).json<Batch>().status).toBe('draft');
    expect((await mnr.post(`/api/v1/indicator-batches/${batch.id}/cosign`)).statusCode).toBe(409);
    expect((await ndrc.post(`/api/v1/indicator-batches/${batch.id}/cosign`)).json<Batch>().status).toBe('cosigned');
    expect((await miit.post(`/api/v1/indicator-batches/${batch.id}/submit`)).json<Batch>().status).toBe('submitted');
    const approval = { approval_document_no: '国函〔2024〕12号', approval_date: '2024-02-06' };
    const byDrafter = await miit.post(`/api/v1/indicator-batches/${batch.id}/approve`, approval);
    expect(byDrafter.statusCode).toBe(403);
    const approved = await review.post(`/api/v1/indicator-batches/${batch.id}/approve`, approval);
    expect(approved.statusCode).toBe(200);
    expect(approved.json<Batch>().status).toBe('approved');
  });

  it('never changes approved figures in place', async () => {
    const edit = await miit.put(`/api/v1/indicator-batches/${batch.id}/totals`, {
      expected_version: 5,
      totals: [{ category: 'mining_rock', total_reo_kg: 1 }],
    });
    expect(edit.statusCode).toBe(409);
    expect(edit.json<{ detail: string }>().detail).toContain('Approved figures never change');
    const stored = await miit.get(`/api/v1/indicator-batches/${batch.id}`);
    expect(stored.json<Batch>().totals.find((item) => item.category === 'mining_rock')?.total_reo_kg).toBe(124_860 * t);
  });

  it('refuses manual shares that do not add up, naming the shortfall', async () => {
    const response = await miit.post('/api/v1/allocation-runs', {
      mode: 'manual',
      batch_id: batch.id,
      category: 'mining_rock',
      level: 'national',
      shares: [{ holder_id: 'group:northern', reo_kg: 94_580 * t }],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'shares' }] });
    expect(response.json<{ detail: string }>().detail).toContain('short by 30280000 kg');
  });

  it('reproduces the published allocation exactly, proposed by MIIT, approved by MNR, issued', async () => {
    const rows = await published();
    for (const [category, column] of [
      ['mining_rock', 'mining_rock_t'],
      ['mining_ion_adsorption', 'mining_ion_t'],
      ['separation', 'separation_t'],
    ] as const) {
      const shares = rows.map((row) => ({
        holder_id: `group:${groupIds[row.group]}`,
        reo_kg: Number(row[column]) * t,
      }));
      const proposed = await miit.post('/api/v1/allocation-runs', {
        mode: 'manual',
        batch_id: batch.id,
        category,
        level: 'national',
        shares,
        // The published figures are not the engine's on this register: the reason is recorded with the run.
        reason: '按国务院批复的2024年第一批指标下达',
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const run = proposed.json<Run>();
      expect((await miit.post(`/api/v1/allocation-runs/${run.id}/approve`)).statusCode).toBe(403); // its proposer
      expect((await mnr.post(`/api/v1/allocation-runs/${run.id}/approve`)).json<Run>().status).toBe('approved');
      const issued = await miit.post(`/api/v1/allocation-runs/${run.id}/issue`);
      expect(issued.statusCode, issued.body).toBe(200);
      expect(issued.json<Run>().due_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      runs.set(category, issued.json<Run>());
      for (const share of shares) {
        expect(issued.json<Run>().shares.find((item) => item.holder_id === share.holder_id)?.reo_kg).toBe(share.reo_kg);
      }
    }
  });

  it('balances in the ledger: the national pool is spent, the groups hold the published figures', async () => {
    const trial = await miit.get('/api/v1/ledger/trial-balance?year=2024');
    expect(trial.json()).toMatchObject({ sum: 0 });
    expect(trial.json<{ accounts: number }>().accounts).toBeGreaterThanOrEqual(9);
    const again = await miit.post(`/api/v1/allocation-runs/${runs.get('mining_rock')!.id}/issue`);
    expect(again.statusCode).toBe(409);
  });

  it('sub-allocates a group share to its enterprises by the engine, within caps, with explanations', async () => {
    const proposed = await miit.post('/api/v1/allocation-runs', {
      mode: 'engine',
      batch_id: batch.id,
      category: 'mining_rock',
      level: 'group',
      group_id: 'northern',
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const run = proposed.json<Run & { filed_late: boolean }>();
    expect(run.due_on).toBe(runs.get('mining_rock')!.due_on);
    expect(run.filed_late).toBe(false);
    const total = run.shares.reduce((sum, share) => sum + share.reo_kg, 0);
    expect(total).toBe(94_580 * t);
    await mnr.post(`/api/v1/allocation-runs/${run.id}/approve`);
    expect((await miit.post(`/api/v1/allocation-runs/${run.id}/issue`)).statusCode).toBe(200);

    const enterprise = await context.as('ent.bayan');
    const me = (await enterprise.get('/api/v1/auth/me')).json<{ enterprise_id: string }>();
    const quota = await enterprise.get(`/api/v1/quota/enterprises/${me.enterprise_id}?year=2024`);
    expect(quota.statusCode).toBe(200);
    const line = quota.json<{ lines: QuotaLine[] }>().lines.find((item) => item.category === 'mining_rock');
    const bayanShare = run.shares.find((share) => share.holder_id === `enterprise:${me.enterprise_id}`)!.reo_kg;
    expect(line).toMatchObject({ allocated_reo_kg: bayanShare, remaining_reo_kg: bayanShare });
    expect(bayanShare).toBeLessThanOrEqual(100_000 * t);

    const notices = await enterprise.get('/api/v1/notices');
    expect(notices.json<unknown[]>().length).toBe(1);
    const trial = await miit.get('/api/v1/ledger/trial-balance?year=2024');
    expect(trial.json()).toMatchObject({ sum: 0 });
  });

  it('asks a reason of an engine run whose other weights give other shares than the plan', async () => {
    const body = { mode: 'engine', batch_id: batch.id, category: 'separation', level: 'group', group_id: 'china-re' };
    const weights = { capacity: 1, technical: 0, environment: 0, safety: 0 };
    const input = (
      await miit.get(`/api/v1/allocation/input?batch_id=${batch.id}&category=separation&level=group&group_id=china-re`)
    ).json<{ weights: object }>();
    const [plan, other] = await Promise.all(
      [input, { ...input, weights }].map(async (item) =>
        (await miit.post('/api/v1/allocation/what-if', item)).json<{ holders: { reo_kg: number }[] }>(),
      ),
    );
    expect(other!.holders.map((holder) => holder.reo_kg)).not.toEqual(plan!.holders.map((holder) => holder.reo_kg));
    const runsBefore = await context.database.db.selectFrom('allocation_run').select('id').execute();
    const refused = await miit.post('/api/v1/allocation-runs', { ...body, weights });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ errors: [{ field: 'reason' }] });
    expect(await context.database.db.selectFrom('allocation_run').select('id').execute()).toEqual(runsBefore);
    const explained = await miit.post('/api/v1/allocation-runs', { ...body, weights, reason: '按产能单因素测算' });
    expect(explained.statusCode, explained.body).toBe(201);
    expect(explained.json()).toMatchObject({ reason: '按产能单因素测算' });
    // The plan's own parameters: the engine's result, no reason needed.
    const plain = await miit.post('/api/v1/allocation-runs', body);
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json()).toMatchObject({ reason: null });
  });

  it('marks a group sub-allocation proposed after its working-day deadline as filed late', async () => {
    const national = runs.get('mining_ion_adsorption')!;
    await context.database.db
      .updateTable('allocation_run')
      .set({ due_on: '2024-02-20' })
      .where('id', '=', national.id)
      .execute();
    const late = await miit.post('/api/v1/allocation-runs', {
      mode: 'engine',
      batch_id: batch.id,
      category: 'mining_ion_adsorption',
      level: 'group',
      group_id: 'china-re',
    });
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json()).toMatchObject({ due_on: '2024-02-20', filed_late: true });
  });

  it('cascades the notice province → county, with read receipts', async () => {
    const province = await context.as('nmg.iit');
    const inbox = (await province.get('/api/v1/notices')).json<
      { id: string; run_id: string; read_at: string | null }[]
    >();
    expect(inbox).toHaveLength(1);
    const receiptsBefore = await miit.get(`/api/v1/allocation-runs/${inbox[0]!.run_id}/receipts`);
    expect(receiptsBefore.json<{ read_at: string | null }[]>().every((item) => item.read_at === null)).toBe(true);
    const forwarded = await province.post(`/api/v1/notices/${inbox[0]!.id}/forward`);
    expect(forwarded.statusCode, forwarded.body).toBe(200);
    const receipts = (await miit.get(`/api/v1/allocation-runs/${inbox[0]!.run_id}/receipts`)).json<
      { recipient_id: string; read_at: string | null; forwarded_from: string | null }[]
    >();
    expect(receipts.find((item) => item.recipient_id === '150000-industry_it')?.read_at).not.toBeNull();
    expect(receipts.find((item) => item.recipient_id === '150206-industry_it')?.forwarded_from).toBe(inbox[0]!.id);
    // Someone else's notice cannot be marked read.
    const other = await context.as('ent.dingnan');
    expect((await other.post(`/api/v1/notices/${inbox[0]!.id}/read`)).statusCode).toBe(404);
  });
});
