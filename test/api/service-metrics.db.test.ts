import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthDue } from '../../src/server/modules/admin/service-metrics.ts';
import { epcisDocument, fixture } from '../epcis/epcis-documents.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

/** /metrics carries what operations watch beside the requests: the work done, the state left, the pool. */

/** The value of one series (name and labels exactly as printed), 0 when it is not there yet. */
function series(body: string, name: string): number {
  const line = body.split('\n').find((text) => text.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

const produce = (prefix: string, count: number, mass = 1000) => ({
  events: Array.from({ length: count }, (_, index) => ({
    event_id: `${prefix}-${index}`,
    kind: 'produce',
    event_time: '2026-03-02T08:00:00+08:00',
    batch: `${prefix}-${index}`,
    product: 'BASTNAESITE_CONC',
    mass_kg: mass,
    grade_ppm: 500000,
  })),
});

describe('service metrics', () => {
  let context: TestContext;
  let bayan: Client;
  const scrape = async () => {
    const response = await context.anonymous.get('/metrics');
    expect(response.statusCode).toBe(200);
    return response.body;
  };
  // After the November reports' deadline, so that some are late; moved on below past the gauges' 30 s memory.
  let now = new Date('2026-12-20T10:00:00+08:00');
  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => now });
    bayan = await context.as('ent.bayan');
  });
  afterAll(async () => context.close());

  it('counts flow submissions by outcome and the events they stored', async () => {
    const before = await scrape();
    expect((await bayan.post('/api/v1/flows', produce('METRICS-A', 7))).statusCode).toBe(201);
    expect((await bayan.post('/api/v1/flows', produce('METRICS-A', 7))).statusCode).toBe(200);
    expect((await bayan.post('/api/v1/flows', produce('METRICS-B', 2, -5))).statusCode).toBe(422);
    const after = await scrape();
    const delta = (name: string) => series(after, name) - series(before, name);
    expect(delta('monazite_flow_submissions_total{outcome="stored"}')).toBe(1);
    expect(delta('monazite_flow_submissions_total{outcome="replayed"}')).toBe(1);
    expect(delta('monazite_flow_submissions_total{outcome="refused"}')).toBe(1);
    expect(delta('monazite_flow_events_ingested_total')).toBe(7);
  });

  it('counts EPCIS capture jobs and public certificate checks', async () => {
    const before = await scrape();
    const capture = await bayan.request('POST', '/epcis/capture', fixture('Example_9.6.1-ObjectEvent.jsonld'));
    expect(capture.statusCode).toBe(202);
    const refused = await bayan.request('POST', '/epcis/capture', epcisDocument([{ type: 'ObjectEvent' }]));
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect((await context.anonymous.get('/api/v1/public/certificates/00000-00000-00000-00000')).statusCode).toBe(404);
    const after = await scrape();
    const delta = (name: string) => series(after, name) - series(before, name);
    expect(delta('monazite_epcis_capture_jobs_total{outcome="succeeded"}')).toBe(1);
    expect(delta('monazite_certificate_checks_total{status="404"}')).toBe(1);
  });

  it('shows open anomalies by rule, late reports of the month due and the pool, as the database has them', async () => {
    const enterprise = await context.database.db
      .selectFrom('enterprise')
      .select('id')
      .where('name', 'like', '%白云%')
      .executeTakeFirstOrThrow();
    await context.database.db
      .insertInto('anomaly')
      .values(
        ['mass_balance', 'mass_balance', 'unmatched_shipment'].map((rule, index) => ({
          key: `metrics-${index}`,
          rule,
          enterprise_id: enterprise.id,
          period: '2026-03-01',
          product_code: null,
          summary: 'metrics test',
          details: JSON.stringify({}),
          evidence: JSON.stringify([]),
        })),
      )
      .execute();
    const before = await scrape();
    expect(series(before, 'monazite_anomalies_open{rule="unmatched_shipment"}')).toBe(0);
    now = new Date(now.getTime() + 31_000);
    const body = await scrape();
    const open = await context.database.db
      .selectFrom('anomaly')
      .select((eb) => ['rule', eb.fn.countAll<string>().as('count')])
      .where('status', '=', 'open')
      .groupBy('rule')
      .execute();
    expect(open.length).toBeGreaterThanOrEqual(2);
    for (const { rule, count } of open)
      expect(series(body, `monazite_anomalies_open{rule="${rule}"}`)).toBe(Number(count));
    const period = monthDue(now);
    const ministry = await context.as('miit.review');
    const board = await ministry.get(`/api/v1/reporting/board?period=${period}`);
    expect(board.statusCode).toBe(200);
    const late = board.json<{ node: { enterprises: Record<string, number> } }>().node.enterprises.late ?? 0;
    expect(late).toBeGreaterThan(0);
    expect(series(body, `monazite_reports_late{period="${period}"}`)).toBe(late);
    expect(series(body, 'monazite_db_pool_connections{state="max"}')).toBeGreaterThanOrEqual(1);
    expect(body).toMatch(/^monazite_db_pool_connections\{state="waiting"\} \d+$/m);
  });

  it('gives the month due as the month before this one in Beijing time', () => {
    expect(monthDue(new Date('2026-03-01T00:00:00+08:00'))).toBe('2026-02');
    expect(monthDue(new Date('2026-01-15T12:00:00+08:00'))).toBe('2025-12');
    // 1 March 00:30 in Beijing is still 28 February in UTC.
    expect(monthDue(new Date('2026-02-28T16:30:00Z'))).toBe('2026-02');
  });
});
