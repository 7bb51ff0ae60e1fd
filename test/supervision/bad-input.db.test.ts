import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { demoEnterpriseIds, expectFieldError, expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { docxBytes, jpegBytes, key, pdfBytes, pngBytes, upload, xlsxBytes, zipBytes } from './supervision-world.ts';

/**
 * Bad input to the supervision routes gets a specific answer and changes nothing: a violation without a legal
 * basis, decisions missing what their kind needs, evidence over the limit or of a refused type, plans with
 * incompetent inspectors or another enterprise's anomalies, stale versions and moves the follow-up forbids.
 */

interface Decision {
  id: string;
  version: number;
  status: string;
}

describe('supervision: bad input is refused, specifically, and writes nothing', () => {
  let context: TestContext;
  let baotou: Client;
  let kundulunId: string;
  let dingnanId: string;
  let inspectionId: string;
  let violationId: string;
  let decision: Decision;

  const db = () => context.database.db;
  /** Calls, and checks that nothing at all was written. */
  const unchanged = async (call: () => Promise<LightMyRequestResponse>) => {
    const before = await worldDigest(db());
    const response = await call();
    expect(await worldDigest(db()), response.body).toBe(before);
    return response;
  };

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-12-01T10:00:00+08:00') });
    await loadDemoFlows(context.database);
    baotou = await context.as('baotou.iit');
    const ids = await demoEnterpriseIds(db());
    kundulunId = ids.kundulun!.id;
    dingnanId = ids.dingnan!.id;
    const planned = await baotou.post('/api/v1/supervision/inspections', {
      enterprise_id: kundulunId,
      planned_on: '2026-11-20',
      purpose: '例行检查',
      reasons: ['年度例行检查'],
      inspectors: ['baotou.iit'],
      idempotency_key: key('bad-input-plan'),
    });
    expect(planned.statusCode, planned.body).toBe(201);
    inspectionId = planned.json<{ id: string }>().id;
    const violation = await baotou.post('/api/v1/supervision/violations', {
      enterprise_id: kundulunId,
      type: 'false_records',
      description: '流向记录与实际不符',
      found_on: '2026-11-20',
      idempotency_key: key('bad-input-violation'),
    });
    expect(violation.statusCode, violation.body).toBe(201);
    violationId = violation.json<{ id: string }>().id;
    const order = await baotou.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
      kind: 'correction_order',
      document_no: '包工信责改〔2026〕90号',
      decided_on: '2026-11-21',
      final: false,
      correction_due_on: '2026-12-15',
      idempotency_key: key('bad-input-order'),
    });
    expect(order.statusCode, order.body).toBe(201);
    decision = order.json<Decision>();
  }, 300_000);
  afterAll(async () => context.close());

  describe('violations', () => {
    const violation = (changes: Record<string, unknown>) => ({
      enterprise_id: kundulunId,
      type: 'false_records',
      description: '说明',
      found_on: '2026-11-20',
      idempotency_key: key('violation'),
      ...changes,
    });

    it('refuses a type that has no legal basis, naming the known types', async () => {
      const response = await unchanged(() =>
        baotou.post('/api/v1/supervision/violations', violation({ type: 'being_unpopular' })),
      );
      const message = expectFieldError(response, 422, 'type', 'invalid');
      expect(message).toContain('no legal basis');
      expect(message).toContain('exceeding_indicators');
    });

    it("refuses an inspection or anomaly of another enterprise's", async () => {
      const anomalies = await (await context.as('miit')).get(`/api/v1/anomalies?enterprise_id=${dingnanId}`);
      const dingnanAnomaly = anomalies.json<{ items: { id: string }[] }>().items[0]!.id;
      const response = await unchanged(() =>
        baotou.post(
          '/api/v1/supervision/violations',
          violation({ inspection_id: inspectionId, anomaly_id: dingnanAnomaly, enterprise_id: kundulunId }),
        ),
      );
      expectFieldError(response, 422, 'anomaly_id', 'invalid');
      // The inspection is kundulun's but not visited yet: no finding can come from it.
      expectFieldError(response, 422, 'inspection_id', 'invalid');
    });

    it('refuses a violation found after today', async () => {
      const response = await unchanged(() =>
        baotou.post('/api/v1/supervision/violations', violation({ found_on: '2026-12-02' })),
      );
      expect(expectFieldError(response, 422, 'found_on', 'invalid')).toContain('after today');
    });

    it('refuses an enterprise outside the jurisdiction as not found', async () => {
      const response = await unchanged(() =>
        baotou.post('/api/v1/supervision/violations', violation({ enterprise_id: dingnanId })),
      );
      expectProblem(response, 404, 'not_found');
    });
  });

  describe('decisions', () => {
    const decide = (body: Record<string, unknown>) =>
      unchanged(() =>
        baotou.post(`/api/v1/supervision/violations/${violationId}/decisions`, {
          document_no: '包工信罚决〔2026〕91号',
          decided_on: '2026-11-22',
          final: false,
          idempotency_key: key('decision'),
          ...body,
        }),
      );

    it('refuses a fine without an amount', async () => {
      const message = expectFieldError(await decide({ kind: 'fine', final: true }), 422, 'fine_yuan', 'invalid');
      expect(message).toContain('amount in yuan');
    });

    it('refuses a fine of part of a yuan, or of nothing', async () => {
      expectFieldError(await decide({ kind: 'fine', fine_yuan: 1500.5 }), 400, 'fine_yuan', 'validation');
      expectFieldError(await decide({ kind: 'fine', fine_yuan: 0 }), 400, 'fine_yuan', 'validation');
    });

    it('refuses a correction order without a deadline, or with one before the decision', async () => {
      const message = expectFieldError(await decide({ kind: 'correction_order' }), 422, 'correction_due_on');
      expect(message).toContain('deadline');
      expectFieldError(
        await decide({ kind: 'correction_order', correction_due_on: '2026-11-01' }),
        422,
        'correction_due_on',
      );
    });

    it('refuses a correction order marked a final penalty, and fields of another kind', async () => {
      const response = await decide({ kind: 'correction_order', correction_due_on: '2026-12-31', final: true });
      expect(expectFieldError(response, 422, 'final')).toContain('not an administrative penalty');
      expectFieldError(
        await decide({ kind: 'correction_order', correction_due_on: '2026-12-31', fine_yuan: 1000 }),
        422,
        'fine_yuan',
      );
    });

    it('refuses a suspension ending before it starts, and a referral naming no organ', async () => {
      expectFieldError(
        await decide({ kind: 'suspension', suspension_from: '2026-12-10', suspension_to: '2026-12-01' }),
        422,
        'suspension_to',
      );
      expectFieldError(await decide({ kind: 'suspension', suspension_from: '2026-12-10' }), 422, 'suspension_to');
      expectFieldError(await decide({ kind: 'referral' }), 422, 'referred_to');
    });

    it('refuses an unknown kind and a decision dated before the violation was found', async () => {
      expectFieldError(await decide({ kind: 'warning' }), 400, 'kind', 'validation');
      expectFieldError(await decide({ kind: 'fine', fine_yuan: 1000, decided_on: '2026-11-01' }), 422, 'decided_on');
    });

    it('refuses a decision dated after today (the clock says 2026-12-01 in Beijing)', async () => {
      const message = expectFieldError(
        await decide({ kind: 'fine', fine_yuan: 1000, decided_on: '2026-12-02' }),
        422,
        'decided_on',
      );
      expect(message).toContain('2026-12-01');
    });

    it('refuses a stale version and a move the follow-up does not allow', async () => {
      const path = `/api/v1/supervision/decisions/${decision.id}/transitions`;
      const stale = await unchanged(() =>
        baotou.post(path, { expected_version: decision.version + 1, status: 'complied', note: '已整改' }),
      );
      expectFieldError(stale, 409, 'expected_version', 'conflict');
      const same = await unchanged(() =>
        baotou.post(path, { expected_version: decision.version, status: 'open', note: '无变化' }),
      );
      expectFieldError(same, 422, 'status', 'invalid');
      const blank = await unchanged(() =>
        baotou.post(path, { expected_version: decision.version, status: 'complied', note: '  ' }),
      );
      expectFieldError(blank, 400, 'note', 'validation');
    });

    it('refuses a report upward by a division that did not decide, and a stale one', async () => {
      const path = `/api/v1/supervision/decisions/${decision.id}/report-upward`;
      const nmg = await context.as('nmg.iit');
      expectProblem(await unchanged(() => nmg.post(path, { expected_version: decision.version })), 403, 'forbidden');
      expectFieldError(
        await unchanged(() => baotou.post(path, { expected_version: decision.version + 5 })),
        409,
        'expected_version',
      );
    });
  });

  describe('inspections', () => {
    const plan = (changes: Record<string, unknown>) =>
      unchanged(() =>
        baotou.post('/api/v1/supervision/inspections', {
          enterprise_id: kundulunId,
          planned_on: '2026-12-05',
          purpose: '专项检查',
          reasons: ['举报线索'],
          inspectors: ['baotou.iit'],
          idempotency_key: key('plan'),
          ...changes,
        }),
      );

    it('refuses a plan that rests on no risk reason', async () => {
      expectFieldError(await plan({ reasons: [] }), 422, 'reasons', 'invalid');
    });

    it('refuses inspectors who are not competent for the enterprise, or unknown, or listed twice', async () => {
      const response = await plan({ inspectors: ['ganzhou.nr', 'no.such.user', 'ndrc', 'ent.kundulun'] });
      for (const field of ['inspectors.0', 'inspectors.1', 'inspectors.2', 'inspectors.3'])
        expectFieldError(response, 422, field);
      expectFieldError(await plan({ inspectors: ['baotou.iit', 'baotou.iit'] }), 422, 'inspectors.1');
    });

    it("refuses another enterprise's anomaly as a risk reason", async () => {
      const anomalies = await (await context.as('miit')).get(`/api/v1/anomalies?enterprise_id=${dingnanId}`);
      const other = anomalies.json<{ items: { id: string }[] }>().items[0]!.id;
      expectFieldError(await plan({ anomaly_ids: [other] }), 422, 'anomaly_ids.0');
    });

    it('refuses a visit before the planned date, then a second visit', async () => {
      const path = `/api/v1/supervision/inspections/${inspectionId}/visit`;
      const visit = { expected_version: 1, findings: '检查情况', outcome: 'no_violation' };
      expectFieldError(
        await unchanged(() => baotou.post(path, { ...visit, visited_on: '2026-11-01' })),
        422,
        'visited_on',
      );
      expect(
        expectFieldError(
          await unchanged(() => baotou.post(path, { ...visit, visited_on: '2026-12-02' })),
          422,
          'visited_on',
        ),
      ).toContain('after today');
      expectFieldError(
        await unchanged(() => baotou.post(path, { ...visit, outcome: 'fine_weather', visited_on: '2026-11-20' })),
        400,
        'outcome',
      );
      const first = await baotou.post(path, { ...visit, visited_on: '2026-11-20' });
      expect(first.statusCode, first.body).toBe(200);
      expectProblem(
        await unchanged(() => baotou.post(path, { ...visit, expected_version: 2, visited_on: '2026-11-21' })),
        409,
        'conflict',
      );
    });
  });

  describe('evidence files', () => {
    it('accepts PDF, JPEG, PNG, XLSX and DOCX, typed by their bytes', async () => {
      for (const [name, bytes, declared, stored] of [
        ['a.pdf', pdfBytes('typed'), 'application/pdf', 'application/pdf'],
        ['b.jpg', jpegBytes(), 'image/jpeg', 'image/jpeg'],
        ['c.png', pngBytes(), 'application/octet-stream', 'image/png'],
        [
          'd.xlsx',
          xlsxBytes(),
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ],
        [
          'e.docx',
          docxBytes(),
          'application/octet-stream',
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        ],
      ] as const) {
        const response = await upload(baotou, inspectionId, name, bytes, declared);
        expect(response.statusCode, `${name}: ${response.body}`).toBe(201);
        expect(response.json<{ content_type: string }>().content_type).toBe(stored);
      }
    });

    it('refuses a file over 10 MB (413), however it is declared', async () => {
      const big = Buffer.concat([pdfBytes('big'), Buffer.alloc(10 * 1024 * 1024)]);
      expectProblem(
        await unchanged(() => upload(baotou, inspectionId, 'big.pdf', big, 'application/pdf')),
        413,
        'body_too_large',
      );
    });

    it('refuses bytes that are not what they are declared as, or of no accepted kind (415)', async () => {
      const cases: [string, Buffer, string][] = [
        ['fake.pdf', pngBytes(), 'application/pdf'],
        ['script.pdf', Buffer.from('#!/bin/sh\necho hi\n'), 'application/pdf'],
        ['notes.bin', Buffer.from('plain text notes'), 'application/octet-stream'],
        ['archive.zip', zipBytes(['readme.txt']), 'application/octet-stream'],
        ['sheet.docx', xlsxBytes(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ];
      for (const [name, bytes, type] of cases) {
        const response = await unchanged(() => upload(baotou, inspectionId, name, bytes, type));
        expectProblem(response, 415, 'unsupported_type');
      }
    });

    it('refuses a content type no evidence comes as, and an empty file', async () => {
      const gif = await unchanged(() =>
        upload(baotou, inspectionId, 'a.gif', Buffer.from('GIF89a-image'), 'image/gif'),
      );
      expect(gif.statusCode, gif.body).toBe(415);
      expectProblem(
        await unchanged(() => upload(baotou, inspectionId, 'empty.pdf', Buffer.alloc(0), 'application/pdf')),
        422,
        'invalid',
      );
    });
  });
});
