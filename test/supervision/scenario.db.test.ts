import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { demoEnterpriseIds } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { key, pdfBytes, sha256Of, sm3Of, upload } from './supervision-world.ts';

/**
 * The acceptance scenario of supervision (Arts. 12–14): an October 2026 anomaly of the Kundulun separation plant (its declaration filed late) leads to an
 * inspection, visited with an evidence file; a violation with its legal basis; a final fine and a correction
 * order; the correction goes overdue; the Baotou bureau reports the handling to Inner Mongolia, which sees it;
 * and the 2027 allocation reduces Kundulun's indicator, naming the fine's document number.
 */

interface Anomaly {
  id: string;
  rule: string;
  enterprise_id: string;
}
interface Decision {
  id: string;
  kind: string;
  version: number;
  status: string;
  overdue: boolean;
  document_no: string;
  reported_to_code: string | null;
}
interface Share {
  holder_id: string;
  reo_kg: number;
  explanation: {
    unpenalised_reo_kg: number;
    penalty_reduction_reo_kg: number;
    penalty_decisions?: { document_no: string; kind: string; decided_on: string }[];
  };
}
interface Run {
  id: string;
  shares: Share[];
}

const FINE_NO = '包工信罚决〔2026〕7号';
const ORDER_NO = '包工信责改〔2026〕7号';
const t = 1000;

describe('supervision: from an anomaly to the next year’s reduced indicator', () => {
  let context: TestContext;
  let now = new Date('2026-11-20T10:00:00+08:00');
  let baotou: Client;
  let nmg: Client;
  let miit: Client;
  let kundulunId: string;
  let anomaly: Anomaly;
  let inspectionId: string;
  let violationId: string;
  const decisions: Record<'fine' | 'order', Decision> = {} as never;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    await loadDemoFlows(context.database);
    [baotou, nmg, miit] = await Promise.all([context.as('baotou.iit'), context.as('nmg.iit'), context.as('miit')]);
    kundulunId = (await demoEnterpriseIds(context.database.db)).kundulun!.id;
  }, 300_000);
  afterAll(async () => context.close());

  it('finds the October anomaly of the Kundulun plant: its declaration filed late', async () => {
    const response = await baotou.get(`/api/v1/anomalies?page_size=200`);
    expect(response.statusCode).toBe(200);
    const all = response.json<{ items: (Anomaly & { period: string })[] }>().items;
    const items = all.filter((item) => item.enterprise_id === kundulunId);
    expect(
      items.length,
      JSON.stringify(all.map((item) => [item.rule, item.period, item.enterprise_id])),
    ).toBeGreaterThan(0);
    anomaly = items.find((item) => item.rule === 'declaration_late')!;
    expect(anomaly).toBeDefined();
  });

  it('plans an inspection on it, assigned to competent officials; the same key again is the same plan', async () => {
    const body = {
      enterprise_id: kundulunId,
      planned_on: '2026-11-23',
      purpose: '核查2026年10月流向信息未按期录入情况',
      anomaly_ids: [anomaly.id],
      reasons: ['10月流向信息12日才录入'],
      inspectors: ['baotou.iit', 'nmg.iit'],
      idempotency_key: 'scenario-inspection-1',
    };
    const planned = await baotou.post('/api/v1/supervision/inspections', body);
    expect(planned.statusCode, planned.body).toBe(201);
    const inspection = planned.json<{ id: string; status: string; division_code: string; basis: unknown[] }>();
    expect(inspection).toMatchObject({ status: 'planned', division_code: '150200', department: 'industry_it' });
    expect(inspection.basis).toEqual([
      expect.objectContaining({ kind: 'anomaly', anomaly_id: anomaly.id, rule: anomaly.rule }),
      { kind: 'note', text: '10月流向信息12日才录入' },
    ]);
    inspectionId = inspection.id;
    const again = await baotou.post('/api/v1/supervision/inspections', body);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ id: string }>().id).toBe(inspectionId);
  });

  it('keeps an evidence file once, with its SHA-256 and SM3, and gives the bytes back', async () => {
    const bytes = pdfBytes('现场检查笔录');
    const first = await upload(baotou, inspectionId, '现场检查笔录.pdf', bytes, 'application/pdf');
    expect(first.statusCode, first.body).toBe(201);
    const evidence = first.json<{
      id: string;
      sha256: string;
      sm3: string;
      size_bytes: number;
      content_type: string;
    }>();
    expect(evidence).toMatchObject({
      sha256: sha256Of(bytes),
      sm3: sm3Of(bytes),
      size_bytes: bytes.length,
      content_type: 'application/pdf',
    });
    const again = await upload(baotou, inspectionId, '笔录-副本.pdf', bytes, 'application/octet-stream');
    expect(again.statusCode).toBe(200);
    expect(again.json<{ id: string }>().id).toBe(evidence.id);
    const stored = await context.database.db.selectFrom('evidence_content').select('sm3').execute();
    expect(stored.filter((row) => row.sm3 === sm3Of(bytes))).toHaveLength(1);
    const download = await baotou.get(`/api/v1/supervision/evidence/${evidence.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(bytes)).toBe(true);
  });

  it('records the visit: a violation found (the version must be the one read)', async () => {
    now = new Date('2026-11-25T16:00:00+08:00'); // the visit, the finding and the decisions are recorded on the 25th
    const visit = {
      visited_on: '2026-11-23',
      findings: '10月流向信息逾期录入，流向记录制度执行不到位',
      outcome: 'violation_found',
    };
    const stale = await nmg.post(`/api/v1/supervision/inspections/${inspectionId}/visit`, {
      ...visit,
      expected_version: 2,
    });
    expect(stale.statusCode, stale.body).toBe(409);
    const visited = await nmg.post(`/api/v1/supervision/inspections/${inspectionId}/visit`, {
      ...visit,
      expected_version: 1,
    });
    expect(visited.statusCode, visited.body).toBe(200);
    expect(visited.json()).toMatchObject({ status: 'visited', version: 2, outcome: 'violation_found' });
    const detail = (await baotou.get(`/api/v1/supervision/inspections/${inspectionId}`)).json<{
      evidence: unknown[];
      transitions: unknown[];
    }>();
    expect(detail.evidence).toHaveLength(1);
    expect(detail.transitions).toEqual([expect.objectContaining({ from_status: 'planned', to_status: 'visited' })]);
  });

  it('records the violation with its legal basis (Art. 10)', async () => {
    const response = await baotou.post('/api/v1/supervision/violations', {
      enterprise_id: kundulunId,
      inspection_id: inspectionId,
      anomaly_id: anomaly.id,
      type: 'flow_records_missing',
      description: '未在2026年11月10日前录入10月流向信息',
      found_on: '2026-11-23',
      idempotency_key: key('violation'),
    });
    expect(response.statusCode, response.body).toBe(201);
    const violation = response.json<{ id: string; legal_basis: { citation: string; zh: string; en: string } }>();
    expect(violation.legal_basis.citation).toBe('Measures Art. 10');
    expect(violation.legal_basis.zh).toContain('第十条');
    violationId = violation.id;
  });

  it('decides a final fine and a correction order with a deadline', async () => {
    const fine = await baotou.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      kind: 'fine',
      document_no: FINE_NO,
      decided_on: '2026-11-25',
      final: true,
      fine_yuan: 200_000,
      idempotency_key: key('fine'),
    });
    expect(fine.statusCode, fine.body).toBe(201);
    expect(fine.json()).toMatchObject({ kind: 'fine', fine_yuan: 200_000, final: true, status: 'open' });
    decisions.fine = fine.json<Decision>();
    const order = await baotou.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      kind: 'correction_order',
      document_no: ORDER_NO,
      decided_on: '2026-11-25',
      final: false,
      correction_due_on: '2026-12-10',
      idempotency_key: key('order'),
    });
    expect(order.statusCode, order.body).toBe(201);
    decisions.order = order.json<Decision>();
    expect(decisions.order.overdue).toBe(false);
  });

  it('the correction goes overdue after its deadline, on the officials’ list (filter and count)', async () => {
    const before = (await baotou.get('/api/v1/supervision/decisions?overdue=true')).json<{
      items: Decision[];
      overdue_count: number;
    }>();
    expect(before).toMatchObject({ items: [], overdue_count: 0 });
    now = new Date('2026-12-11T09:00:00+08:00');
    for (const client of [baotou, nmg, miit]) {
      const list = (await client.get('/api/v1/supervision/decisions?overdue=true')).json<{
        items: Decision[];
        overdue_count: number;
      }>();
      expect(list.items.map((item) => item.document_no)).toEqual([ORDER_NO]);
      expect(list.overdue_count).toBe(1);
    }
    const ganzhou = await context.as('ganzhou.nr');
    const elsewhere = (await ganzhou.get('/api/v1/supervision/decisions')).json<{
      total: number;
      overdue_count: number;
    }>();
    expect(elsewhere).toMatchObject({ total: 0, overdue_count: 0 });
    const enterprise = await context.as('ent.kundulun');
    const own = (await enterprise.get(`/api/v1/supervision/decisions/${decisions.order.id}`)).json<Decision>();
    expect(own).toMatchObject({ overdue: true, document_no: ORDER_NO });
  });

  it('reports the handling upward; Inner Mongolia sees it in its own view, the ministries do not', async () => {
    for (const which of ['fine', 'order'] as const) {
      const response = await baotou.post(`/api/v1/supervision/decisions/${decisions[which].id}/report-upward`, {
        expected_version: decisions[which].version,
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<Decision>().reported_to_code).toBe('150000');
      decisions[which] = response.json<Decision>();
    }
    const twice = await baotou.post(`/api/v1/supervision/decisions/${decisions.fine.id}/report-upward`, {
      expected_version: decisions.fine.version,
    });
    expect(twice.statusCode).toBe(409);
    const reported = (await nmg.get('/api/v1/supervision/reported')).json<{ items: Decision[] }>();
    expect(reported.items.map((item) => item.document_no).sort()).toEqual([FINE_NO, ORDER_NO].sort());
    expect((await miit.get('/api/v1/supervision/reported')).json<{ total: number }>().total).toBe(0);
    expect((await baotou.get('/api/v1/supervision/reported')).json<{ total: number }>().total).toBe(0);
  });

  it('follows the correction up until closed; complied is no longer overdue', async () => {
    const complied = await baotou.post(`/api/v1/supervision/decisions/${decisions.order.id}/transitions`, {
      expected_version: decisions.order.version,
      status: 'complied',
      note: '企业已按要求整改并提交整改报告',
    });
    expect(complied.statusCode, complied.body).toBe(200);
    expect(complied.json()).toMatchObject({ status: 'complied', overdue: false });
    const closed = await baotou.post(`/api/v1/supervision/decisions/${decisions.order.id}/transitions`, {
      expected_version: complied.json<Decision>().version,
      status: 'closed',
      note: '复查合格，结案',
    });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect(closed.json<{ transitions: unknown[] }>().transitions).toHaveLength(2);
    const list = (await baotou.get('/api/v1/supervision/decisions?overdue=true')).json<{ overdue_count: number }>();
    expect(list.overdue_count).toBe(0);
  });

  it('reduces Kundulun’s 2027 indicator for the final fine, naming its document number', async () => {
    const [review, mnr, ndrc] = await Promise.all([context.as('miit.review'), context.as('mnr'), context.as('ndrc')]);
    const plan = await miit.post('/api/v1/indicator-plans', {
      year: 2027,
      memo: {
        economic_goals: '稳增长',
        reserves_and_variety: '轻稀土为主',
        industry_development: '集约化发展',
        ecological_protection: '生态修复',
        market_demand: '磁材需求增长',
      },
      weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
      penalty_reduction_ppm: 100_000,
    });
    expect(plan.statusCode, plan.body).toBe(201);
    const created = await miit.post('/api/v1/indicator-plans/2027/batches', {
      name: '第一批',
      totals: [{ category: 'separation', total_reo_kg: 80_000 * t }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const batchId = created.json<{ id: string }>().id;
    await mnr.post(`/api/v1/indicator-batches/${batchId}/cosign`);
    await ndrc.post(`/api/v1/indicator-batches/${batchId}/cosign`);
    expect((await miit.post(`/api/v1/indicator-batches/${batchId}/submit`)).statusCode).toBe(200);
    const approved = await review.post(`/api/v1/indicator-batches/${batchId}/approve`, {
      approval_document_no: '国函〔2026〕99号',
      approval_date: '2026-12-28',
    });
    expect(approved.statusCode, approved.body).toBe(200);

    const run = async (body: Record<string, unknown>): Promise<Run> => {
      const proposed = await miit.post('/api/v1/allocation-runs', { mode: 'engine', batch_id: batchId, ...body });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const id = proposed.json<Run>().id;
      expect((await mnr.post(`/api/v1/allocation-runs/${id}/approve`)).statusCode).toBe(200);
      const issued = await miit.post(`/api/v1/allocation-runs/${id}/issue`);
      expect(issued.statusCode, issued.body).toBe(200);
      return issued.json<Run>();
    };
    await run({ category: 'separation', level: 'national' });
    const group = await run({ category: 'separation', level: 'group', group_id: 'northern' });
    const share = group.shares.find((item) => item.holder_id === `enterprise:${kundulunId}`)!;
    expect(share.explanation.penalty_reduction_reo_kg).toBeGreaterThan(0);
    expect(share.explanation.unpenalised_reo_kg).toBe(share.reo_kg + share.explanation.penalty_reduction_reo_kg);
    expect(share.explanation.penalty_decisions).toEqual([
      expect.objectContaining({ document_no: FINE_NO, kind: 'fine', decided_on: '2026-11-25' }),
    ]);
    // Nobody else in the group was penalised: no decisions named in their explanations.
    for (const other of group.shares.filter((item) => item.holder_id !== share.holder_id))
      expect(other.explanation.penalty_decisions).toBeUndefined();

    // The same input without the penalty gives Kundulun exactly its unpenalised share.
    const input = await miit.get(
      `/api/v1/allocation/input?batch_id=${batchId}&category=separation&level=group&group_id=northern`,
    );
    expect(input.statusCode, input.body).toBe(200);
    const engineInput = input.json<{ holders: { id: string; prior_year_penalties: number }[] }>();
    expect(engineInput.holders.find((holder) => holder.id === share.holder_id)?.prior_year_penalties).toBe(1);
    const unpenalised = await miit.post('/api/v1/allocation/what-if', {
      ...engineInput,
      holders: engineInput.holders.map((holder) => ({ ...holder, prior_year_penalties: 0 })),
    });
    expect(unpenalised.statusCode, unpenalised.body).toBe(200);
    const whatIf = unpenalised.json<{ holders: { id: string; reo_kg: number }[] }>();
    expect(whatIf.holders.find((holder) => holder.id === share.holder_id)?.reo_kg).toBe(
      share.explanation.unpenalised_reo_kg,
    );

    // The enterprise sees its own explanation, with the decision named.
    const enterprise = await context.as('ent.kundulun');
    const own = (await enterprise.get(`/api/v1/allocation-runs/${group.id}`)).json<Run>();
    expect(own.shares).toHaveLength(1);
    expect(own.shares[0]!.explanation.penalty_decisions?.[0]?.document_no).toBe(FINE_NO);
  });
});
