import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { finalPenaltiesByEnterprise } from '../../src/server/modules/supervision/index.ts';
import { demoEnterpriseIds, expectFieldError, expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { key } from './supervision-world.ts';

/**
 * After the plan and the decision: reassigning a planned inspection's officials, and recording what became of a
 * penalty decided while an appeal could still be brought — final (Art. 14 counts it from then on) or revoked on
 * appeal (closed, never final). Each refusal is specific and writes nothing.
 */

interface Detail {
  id: string;
  version: number;
  status: string;
  final: boolean;
  revoked_on: string | null;
  inspectors: string[];
  transitions: { from_status: string; to_status: string; note: string; moved_by: string }[];
}

describe('supervision follow-up: reassignment and finality', () => {
  let context: TestContext;
  let baotou: Client;
  let nmg: Client;
  let kundulunId: string;
  let inspection: Detail;
  let violationId: string;

  const db = () => context.database.db;
  const unchanged = async (call: () => Promise<LightMyRequestResponse>) => {
    const before = await worldDigest(db());
    const response = await call();
    expect(await worldDigest(db()), response.body).toBe(before);
    return response;
  };
  const decide = async (tag: string, body: Record<string, unknown>): Promise<Detail> => {
    const response = await baotou.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      document_no: `包工信罚〔2026〕${tag}号`,
      decided_on: '2026-11-10',
      final: false,
      idempotency_key: key(`follow-up-${tag}`),
      ...body,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Detail>();
  };
  const finality = (decision: Detail, body: Record<string, unknown>, client = baotou) =>
    client.post(`/api/v1/supervision/decisions/${decision.id}/finality`, {
      expected_version: decision.version,
      outcome: 'final',
      effective_on: '2026-11-25',
      note: '复议期限届满未申请复议',
      ...body,
    });

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-12-01T10:00:00+08:00') });
    await loadDemoFlows(context.database);
    baotou = await context.as('baotou.iit');
    nmg = await context.as('nmg.iit');
    kundulunId = (await demoEnterpriseIds(db())).kundulun!.id;
    const planned = await baotou.post('/api/v1/supervision/inspections', {
      enterprise_id: kundulunId,
      planned_on: '2026-11-28',
      purpose: '核查流向记录',
      reasons: ['流向记录滞后'],
      inspectors: ['baotou.iit'],
      idempotency_key: key('follow-up-plan'),
    });
    expect(planned.statusCode, planned.body).toBe(201);
    inspection = planned.json<Detail>();
    const violation = await baotou.post('/api/v1/supervision/violations', {
      enterprise_id: kundulunId,
      type: 'exceeding_indicators',
      description: '超指标开采',
      found_on: '2026-11-05',
      idempotency_key: key('follow-up-violation'),
    });
    expect(violation.statusCode, violation.body).toBe(201);
    violationId = violation.json<{ id: string }>().id;
  }, 300_000);
  afterAll(async () => context.close());

  describe('reassigning a planned inspection', () => {
    it('refuses an official who is not competent for the enterprise, naming the list entry', async () => {
      const response = await unchanged(() =>
        baotou.post(`/api/v1/supervision/inspections/${inspection.id}/inspectors`, {
          expected_version: inspection.version,
          inspectors: ['baotou.iit', 'ganzhou.nr'],
          note: '增派人员',
        }),
      );
      expect(expectFieldError(response, 422, 'inspectors.1')).toContain('ganzhou.nr');
    });

    it('refuses the same list again, and a stale version', async () => {
      expectFieldError(
        await unchanged(() =>
          baotou.post(`/api/v1/supervision/inspections/${inspection.id}/inspectors`, {
            expected_version: inspection.version,
            inspectors: ['baotou.iit'],
            note: '无变化',
          }),
        ),
        422,
        'inspectors',
      );
      expectFieldError(
        await unchanged(() =>
          baotou.post(`/api/v1/supervision/inspections/${inspection.id}/inspectors`, {
            expected_version: inspection.version + 1,
            inspectors: ['nmg.iit'],
            note: '改派',
          }),
        ),
        409,
        'expected_version',
      );
    });

    it('reassigns, keeps the old and new officials in the history, and audits it', async () => {
      const response = await nmg.post(`/api/v1/supervision/inspections/${inspection.id}/inspectors`, {
        expected_version: inspection.version,
        inspectors: ['nmg.iit', 'baotou.iit'],
        note: '自治区厅牵头检查',
      });
      expect(response.statusCode, response.body).toBe(200);
      const after = response.json<Detail>();
      expect(after.inspectors).toEqual(['nmg.iit', 'baotou.iit']);
      expect(after.version).toBe(inspection.version + 1);
      expect(after.status).toBe('planned');
      expect(after.transitions.at(-1)).toMatchObject({
        from_status: 'planned',
        to_status: 'planned',
        note: 'inspectors baotou.iit → nmg.iit, baotou.iit: 自治区厅牵头检查',
        moved_by: 'nmg.iit',
      });
      const audit = await db()
        .selectFrom('audit_entry')
        .select(['action', 'actor_login'])
        .where('object_id', '=', inspection.id)
        .where('action', '=', 'inspection.reassign')
        .execute();
      expect(audit).toEqual([{ action: 'inspection.reassign', actor_login: 'nmg.iit' }]);
      inspection = after;
    });

    it('keeps the officials who went once the visit is recorded', async () => {
      const visit = await baotou.post(`/api/v1/supervision/inspections/${inspection.id}/visit`, {
        expected_version: inspection.version,
        visited_on: '2026-12-01',
        findings: '流向记录完整',
        outcome: 'no_violation',
      });
      expect(visit.statusCode, visit.body).toBe(200);
      const visited = visit.json<Detail>();
      expectProblem(
        await unchanged(() =>
          baotou.post(`/api/v1/supervision/inspections/${inspection.id}/inspectors`, {
            expected_version: visited.version,
            inspectors: ['baotou.iit'],
            note: '改派',
          }),
        ),
        409,
      );
    });
  });

  describe('finality of a penalty', () => {
    it('a fine becomes final: Art. 14 counts it from then on, and the history says when and why', async () => {
      const fine = await decide('101', { kind: 'fine', fine_yuan: 200_000 });
      expect((await finalPenaltiesByEnterprise(db(), 2026)).get(kundulunId) ?? []).toEqual([]);
      const response = await finality(fine, {});
      expect(response.statusCode, response.body).toBe(200);
      const after = response.json<Detail>();
      expect(after).toMatchObject({ final: true, status: 'open', revoked_on: null, version: fine.version + 1 });
      expect(after.transitions.at(-1)?.note).toBe('final on 2026-11-25: 复议期限届满未申请复议');
      const counted = (await finalPenaltiesByEnterprise(db(), 2026)).get(kundulunId) ?? [];
      expect(counted.map((item) => item.decision_id)).toEqual([fine.id]);

      expectProblem(await unchanged(() => finality(after, {})), 409);
      expectProblem(await unchanged(() => finality(after, { outcome: 'revoked' })), 409);
    });

    it('a suspension revoked on appeal is closed, never final, and not counted', async () => {
      const suspension = await decide('102', {
        kind: 'suspension',
        suspension_from: '2026-11-15',
        suspension_to: '2026-12-15',
      });
      const response = await finality(suspension, {
        outcome: 'revoked',
        effective_on: '2026-11-28',
        note: '行政复议决定撤销',
      });
      expect(response.statusCode, response.body).toBe(200);
      const after = response.json<Detail>();
      expect(after).toMatchObject({ final: false, status: 'closed', revoked_on: '2026-11-28' });
      expect(after.transitions.at(-1)).toMatchObject({ from_status: 'open', to_status: 'closed' });
      const counted = (await finalPenaltiesByEnterprise(db(), 2026)).get(kundulunId) ?? [];
      expect(counted.map((item) => item.decision_id)).not.toContain(suspension.id);
      expectProblem(await unchanged(() => finality(after, {})), 409);
    });

    it('refuses, specifically and without writing: a non-penalty made final, dates out of range, a stale version, another division', async () => {
      const order = await decide('103', { kind: 'correction_order', correction_due_on: '2026-12-31' });
      expectFieldError(await unchanged(() => finality(order, {})), 422, 'outcome');
      expectFieldError(await unchanged(() => finality(order, { effective_on: '2026-11-01' })), 422, 'effective_on');
      expectFieldError(await unchanged(() => finality(order, { effective_on: '2026-12-02' })), 422, 'effective_on');
      expectFieldError(
        await unchanged(() => finality(order, { outcome: 'revoked', expected_version: order.version + 1 })),
        409,
        'expected_version',
      );
      expectFieldError(await unchanged(() => finality(order, { outcome: 'annulled' })), 400, 'outcome');
      expectProblem(await unchanged(() => finality(order, { outcome: 'revoked' }, nmg)), 403);
      const revoked = await finality(order, { outcome: 'revoked', note: '撤销责令改正' });
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json<Detail>()).toMatchObject({ status: 'closed', final: false, revoked_on: '2026-11-25' });
    });

    it('a penalty decided in one year and final in the next counts in the year it became final', async () => {
      const earlier = await baotou.post('/api/v1/supervision/violations', {
        enterprise_id: kundulunId,
        type: 'false_records',
        description: '2025年流向记录不实',
        found_on: '2025-12-01',
        idempotency_key: key('follow-up-2025-violation'),
      });
      expect(earlier.statusCode, earlier.body).toBe(201);
      const response = await baotou.post(
        `/api/v1/supervision/violations/${earlier.json<{ id: string }>().id}/decisions`,
        {
          kind: 'fine',
          document_no: '包工信罚〔2025〕99号',
          decided_on: '2025-12-20',
          final: false,
          fine_yuan: 80_000,
          idempotency_key: key('follow-up-2025-fine'),
        },
      );
      expect(response.statusCode, response.body).toBe(201);
      const fine = response.json<Detail & { final_on: string | null }>();
      expect(fine.final_on).toBeNull();
      const settled = await finality(fine, { effective_on: '2026-01-15', note: '复议期限届满' });
      expect(settled.statusCode, settled.body).toBe(200);
      expect(settled.json<{ final_on: string }>().final_on).toBe('2026-01-15');
      const ids = (year: number) =>
        finalPenaltiesByEnterprise(db(), year).then((map) =>
          (map.get(kundulunId) ?? []).map((item) => item.decision_id),
        );
      expect(await ids(2025)).not.toContain(fine.id);
      expect(await ids(2026)).toContain(fine.id);
    });

    it('a fine paid and closed may still be revoked by a court, and stays closed', async () => {
      const fine = await decide('105', { kind: 'fine', fine_yuan: 30_000 });
      const closed = await baotou.post(`/api/v1/supervision/decisions/${fine.id}/transitions`, {
        expected_version: fine.version,
        status: 'closed',
        note: '罚款已缴纳',
      });
      expect(closed.statusCode, closed.body).toBe(200);
      const response = await finality(closed.json<Detail>(), {
        outcome: 'revoked',
        effective_on: '2026-11-30',
        note: '人民法院判决撤销',
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<Detail>()).toMatchObject({ status: 'closed', final: false, revoked_on: '2026-11-30' });
    });

    it('the database refuses a revoked decision that is final or still open, and a final one with no date', async () => {
      const fine = await decide('104', { kind: 'fine', fine_yuan: 1000 });
      await expect(
        db().updateTable('decision').set({ revoked_on: '2026-11-20' }).where('id', '=', fine.id).execute(),
      ).rejects.toThrow(/decision_revoked_check/);
      await expect(
        db().updateTable('decision').set({ final: true }).where('id', '=', fine.id).execute(),
      ).rejects.toThrow(/decision_final_on_check/);
    });
  });
});
