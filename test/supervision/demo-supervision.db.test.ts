import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionView, InspectionView, ViolationView } from '../../src/contracts/supervision.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { loadDemoReports } from '../../src/server/demo/demo-reports.ts';
import { demoEvidencePdf, loadDemoSupervision } from '../../src/server/demo/demo-supervision.ts';
import { finalPenaltiesByEnterprise } from '../../src/server/modules/supervision/index.ts';
import { createSealer } from '../../src/server/shared/signing.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { auditCount, demoEnterpriseIds, type DemoEnterpriseRow } from '../api/api-helpers.ts';

/**
 * The demo's supervision (what `npm start` loads after the demo reports): inspections in Inner Mongolia, Jiangxi
 * and Yunnan resting on the October anomalies, evidence, violations of four types, and decisions in every state
 * the screens show — read back through the API as the demo officials see them.
 */

const SIGNING_SECRET = 'a-test-secret-of-enough-length';
const NOW = new Date('2026-11-28T12:00:00+08:00');

interface Page<T> {
  items: T[];
  total: number;
}
type DecisionPage = Page<DecisionView> & { overdue_count: number };

describe('demo supervision', () => {
  let context: TestContext;
  let miit: Client;
  let enterprises: Record<string, DemoEnterpriseRow>;
  let summary: Awaited<ReturnType<typeof loadDemoSupervision>>;

  const get = async <T>(client: Client, url: string): Promise<T> => {
    const response = await client.get(url);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<T>();
  };

  beforeAll(async () => {
    context = await startTestApp({ SIGNING_KEY_SECRET: SIGNING_SECRET }, { clock: () => NOW });
    await loadDemoFlows(context.database);
    await loadDemoReports(context.database, createSealer(SIGNING_SECRET));
    summary = await loadDemoSupervision(context.database.db);
    miit = await context.as('miit');
    enterprises = await demoEnterpriseIds(context.database.db);
  });
  afterAll(async () => context.close());

  it('plans inspections in three provinces, most of them visited and resting on the demo anomalies', async () => {
    expect(summary).toEqual({ inspections: 6, violations: 6, decisions: 6, evidence: 4 });
    const { items } = await get<Page<InspectionView>>(miit, '/api/v1/supervision/inspections?page_size=200');
    expect(items).toHaveLength(6);
    expect(items.filter((item) => item.status === 'visited')).toHaveLength(4);
    expect(items.filter((item) => item.status === 'planned')).toHaveLength(2);
    const domicile = new Map(Object.values(enterprises).map((row) => [row.id, row.domicile_code]));
    const provinces = new Set(items.map((item) => domicile.get(item.enterprise_id)?.slice(0, 2)));
    expect([...provinces].sort()).toEqual(['15', '36', '53']);
    const anomalyBased = items.filter((item) => item.basis.some((basis) => basis.kind === 'anomaly'));
    expect(anomalyBased.length).toBeGreaterThanOrEqual(4);
    expect(new Set(items.map((item) => item.division_code))).toEqual(
      new Set(['150200', '150000', '360700', '360783', '000000']),
    );
  });

  it('keeps a valid PDF inspection record as evidence of each visit, with its hashes', async () => {
    const { items } = await get<Page<InspectionView>>(
      miit,
      '/api/v1/supervision/inspections?status=visited&page_size=200',
    );
    for (const item of items) {
      const detail = await get<{ evidence: { id: string; content_type: string }[] }>(
        miit,
        `/api/v1/supervision/inspections/${item.id}`,
      );
      expect(detail.evidence).toHaveLength(1);
      expect(detail.evidence[0]!.content_type).toBe('application/pdf');
      const file = await miit.get(`/api/v1/supervision/evidence/${detail.evidence[0]!.id}`);
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(file.headers['x-content-sha256']).toBe(createHash('sha256').update(file.rawPayload).digest('hex'));
    }
    // The cross-reference table points at each object.
    const pdf = demoEvidencePdf(['one line', 'with (parentheses)']).toString('latin1');
    const offsets = [...pdf.matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    offsets.forEach((offset, index) => expect(pdf.slice(offset).startsWith(`${index + 1} 0 obj`)).toBe(true));
    expect(pdf.slice(Number(/startxref\n(\d+)/.exec(pdf)![1])).startsWith('xref')).toBe(true);
  });

  it('records violations of four types, each with its legal basis', async () => {
    const { items } = await get<Page<ViolationView>>(miit, '/api/v1/supervision/violations?page_size=200');
    expect(items).toHaveLength(6);
    expect(new Set(items.map((item) => item.type))).toEqual(
      new Set(['flow_records_missing', 'false_records', 'exceeding_indicators', 'undesignated_production']),
    );
    for (const item of items) expect(item.anomaly_id).not.toBeNull();
  });

  it('decides: an overdue correction order, one complied with, one closed, a final fine, a suspension, a referral', async () => {
    const page = await get<DecisionPage>(miit, '/api/v1/supervision/decisions?page_size=200');
    const summaryOf = (item: DecisionView) => `${item.kind}:${item.status}:${item.final}:${item.overdue}`;
    expect(page.items.map(summaryOf).sort()).toEqual(
      [
        'correction_order:open:false:true',
        'correction_order:complied:false:false',
        'correction_order:closed:false:false',
        'fine:open:true:false',
        'suspension:open:false:false',
        'referral:open:false:false',
      ].sort(),
    );
    expect(page.overdue_count).toBe(1);
    const overdue = await get<DecisionPage>(miit, '/api/v1/supervision/decisions?overdue=true');
    expect(overdue.items.map((item) => item.enterprise_id)).toEqual([enterprises.kundulun!.id]);
    // Reported upward: Baotou's two decisions to Inner Mongolia, Ganzhou's suspension to Jiangxi.
    expect(
      page.items
        .map((item) => item.reported_to_code)
        .filter(Boolean)
        .sort(),
    ).toEqual(['150000', '150000', '360000']);
    const reported = await get<Page<DecisionView>>(await context.as('nmg.iit'), '/api/v1/supervision/reported');
    expect(reported.items.map((item) => item.kind).sort()).toEqual(['correction_order', 'fine']);
  });

  it("the final fine counts against Kundulun's 2027 indicator (Art. 14), and loading again changes nothing", async () => {
    const db = context.database.db;
    const penalties = await finalPenaltiesByEnterprise(db, 2026);
    expect([...penalties.keys()]).toEqual([enterprises.kundulun!.id]);
    expect(penalties.get(enterprises.kundulun!.id)).toEqual([
      expect.objectContaining({ kind: 'fine', document_no: '包工信罚〔2026〕3号' }),
    ]);
    const entries = await auditCount(db);
    expect(await loadDemoSupervision(db)).toEqual(summary);
    expect(await auditCount(db)).toBe(entries);
  });
});
