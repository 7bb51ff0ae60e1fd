import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  creditCodeOf,
  epcisDocument,
  fixtureEvents,
  kgOf,
  marchUtc,
  monaziteClass,
  party,
  produceEvent,
  shipEvent,
} from './epcis-documents.ts';

/** EPCIS events with a Monazite class become flow records, in the same transaction as the EPCIS rows. */

interface Job {
  success: boolean;
  errors: { type: string; eventIndex?: number; field?: string; detail?: string }[];
  summary: {
    stored: number;
    unchanged: number;
    rejected: number;
    flows: { accepted: number; unchanged: number; rejected: number } | null;
  };
}

function jobOf(response: LightMyRequestResponse): Job {
  expect(response.statusCode, response.body).toBe(202);
  return response.json<Job>();
}

const proceed = { 'GS1-Capture-Error-Behaviour': 'proceed' };

describe('EPCIS capture as flow records', () => {
  let context: TestContext;
  let mine: Client;
  let plant: Client;

  /** What is stored: EPCIS events and flow lines, by eventID. */
  async function stored() {
    const db = context.database.db;
    const epcis = await sql<{ event_id: string }>`SELECT event_id FROM epcis_event ORDER BY id`.execute(db);
    const flows = await sql<{ event_id: string; kind: string; batch_id: string }>`
      SELECT event_id, kind, batch_id FROM flow_line ORDER BY event_id, line_no`.execute(db);
    return {
      epcis: epcis.rows.map((row) => row.event_id),
      flows: flows.rows.map((row) => `${row.event_id}:${row.kind}`),
    };
  }

  const plain = (eventId: string) => ({ ...fixtureEvents('Example_9.6.2-ObjectEvent.jsonld')[0], eventID: eventId });

  beforeAll(async () => {
    context = await startTestApp();
    [mine, plant] = await Promise.all([context.as('ent.bayan'), context.as('ent.kundulun')]);
  });
  afterAll(() => context.close());

  it('records the mine’s commissioning and shipping as produce and ship, and keeps every event', async () => {
    const document = epcisDocument([
      produceEvent('urn:uuid:by-p-1', 'BY-2603-01', 20_000),
      produceEvent('urn:uuid:by-p-2', 'BY-2603-02', 10_000, { 'monazite:gradePpm': 480_000 }),
      shipEvent('urn:uuid:by-s-1', 'BY-2603-01', 20_000, 'kundulun'),
      plain('urn:uuid:by-plain-1'),
    ]);
    const job = jobOf(await mine.post('/epcis/capture', document));
    expect(job.errors).toEqual([]);
    expect(job.summary).toMatchObject({ stored: 4, rejected: 0, flows: { accepted: 3, rejected: 0 } });
    const now = await stored();
    expect(now.epcis).toHaveLength(4);
    expect(now.flows).toEqual(['urn:uuid:by-p-1:produce', 'urn:uuid:by-p-2:produce', 'urn:uuid:by-s-1:ship']);
    const line = await sql<{
      event_time: Date;
      time_offset: string;
      mass_kg: string;
      reo_kg: string;
      waybill_no: string;
    }>`
      SELECT event_time, time_offset, mass_kg, reo_kg, waybill_no FROM flow_line WHERE event_id = 'urn:uuid:by-s-1'`.execute(
      context.database.db,
    );
    expect(line.rows[0]).toMatchObject({
      time_offset: '+08:00',
      mass_kg: '20000',
      reo_kg: '10000',
      waybill_no: 'WB-001',
    });
    expect(line.rows[0]?.event_time.toISOString()).toBe(marchUtc(5));
  });

  it('changes nothing when the same capture comes again', async () => {
    const before = await stored();
    const again = epcisDocument([
      produceEvent('urn:uuid:by-p-1', 'BY-2603-01', 20_000),
      produceEvent('urn:uuid:by-p-2', 'BY-2603-02', 10_000, { 'monazite:gradePpm': 480_000 }),
      shipEvent('urn:uuid:by-s-1', 'BY-2603-01', 20_000, 'kundulun'),
      plain('urn:uuid:by-plain-1'),
    ]);
    const job = jobOf(await mine.post('/epcis/capture', again));
    expect(job).toMatchObject({ success: true, summary: { stored: 0, unchanged: 4, rejected: 0 } });
    expect(await stored()).toEqual(before);
  });

  it('records the plant’s receiving and transformation as receive and transform', async () => {
    const ore = monaziteClass('BASTNAESITE_CONC', 'BY-2603-01', creditCodeOf('bayan'));
    const transform = {
      type: 'TransformationEvent',
      eventID: 'urn:uuid:kd-t-1',
      eventTime: marchUtc(12),
      eventTimeZoneOffset: '+08:00',
      bizStep: 'commissioning',
      inputQuantityList: [kgOf(ore, 20_000)],
      outputQuantityList: [
        kgOf(monaziteClass('PRND_OXIDE', 'KD-PRND-01'), 3_000),
        kgOf(monaziteClass('LA2O3', 'KD-LA-01'), 6_000),
      ],
      'monazite:gradePpm': { [ore]: 500_000 },
    };
    const receive = {
      ...shipEvent('urn:uuid:kd-r-1', 'BY-2603-01', 20_000, 'kundulun'),
      eventTime: marchUtc(6),
      bizStep: 'receiving',
      quantityList: [kgOf(ore, 20_000)],
      destinationList: undefined,
      sourceList: [{ type: 'owning_party', source: party('bayan') }],
    };
    const job = jobOf(
      await plant.post('/epcis/capture', epcisDocument([JSON.parse(JSON.stringify(receive)) as object, transform])),
    );
    expect(job.errors).toEqual([]);
    expect(job.summary.flows).toMatchObject({ accepted: 2 });
    expect((await stored()).flows).toEqual(
      expect.arrayContaining(['urn:uuid:kd-r-1:receive', 'urn:uuid:kd-t-1:transform', 'urn:uuid:kd-t-1:transform']),
    );
    // The TransformationEvent is now lineage: the oxide traces back to the mine's lot through it.
    const [oxide] = (await plant.get('/api/v1/batches?code=KD-PRND-01')).json<{ id: number }[]>();
    const back = await plant.get(`/api/v1/batches/${oxide!.id}/trace/back`);
    expect(back.statusCode, back.body).toBe(200);
    const origins = back.json<{
      origins: { batch: { code: string; maker: { credit_code: string } }; reo_kg: number }[];
    }>().origins;
    expect(origins.map((origin) => [origin.batch.code, origin.batch.maker.credit_code, origin.reo_kg])).toEqual([
      ['BY-2603-01', creditCodeOf('bayan'), 3_000],
    ]);
  });

  it('stores nothing in rollback mode when one event fails the flow validation, naming the event and its EPCIS field', async () => {
    const before = await stored();
    const document = epcisDocument([
      plain('urn:uuid:by-plain-2'),
      produceEvent('urn:uuid:by-p-3', 'BY-2603-03', 5_000),
      produceEvent('urn:uuid:by-p-bad', 'BY-2603-04', 5_000, {
        quantityList: [kgOf(monaziteClass('NO_SUCH_PRODUCT', 'BY-2603-04'), 5_000)],
      }),
    ]);
    const refused = jobOf(await mine.post('/epcis/capture', document));
    expect(refused.success).toBe(false);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        type: 'epcisException:ValidationException',
        eventIndex: 2,
        field: 'quantityList[0].epcClass',
      }),
    ]);
    expect(await stored()).toEqual(before);

    const kept = jobOf(await mine.request('POST', '/epcis/capture', document, proceed));
    expect(kept).toMatchObject({
      success: false,
      summary: { stored: 2, rejected: 1, flows: { accepted: 1, rejected: 1 } },
    });
    expect(kept.errors.map((error) => [error.eventIndex, error.field])).toEqual([[2, 'quantityList[0].epcClass']]);
    const after = await stored();
    expect(after.epcis).toEqual([...before.epcis, 'urn:uuid:by-plain-2', 'urn:uuid:by-p-3']);
    expect(after.flows).toContain('urn:uuid:by-p-3:produce');
    expect(after.flows).not.toContain('urn:uuid:by-p-bad:produce');
  });

  it('stores the events and flows of two identical captures sent at once only once', async () => {
    const before = await stored();
    const document = epcisDocument([
      produceEvent('urn:uuid:by-p-10', 'BY-2603-10', 1_000),
      produceEvent('urn:uuid:by-p-11', 'BY-2603-11', 1_000),
      plain('urn:uuid:by-plain-10'),
    ]);
    const jobs = (
      await Promise.all([mine.post('/epcis/capture', document), mine.post('/epcis/capture', document)])
    ).map(jobOf);
    for (const job of jobs) expect(job).toMatchObject({ success: true, errors: [] });
    expect(jobs.map((job) => job.summary.stored).sort()).toEqual([0, 3]);
    const after = await stored();
    expect(after.epcis).toEqual([...before.epcis, 'urn:uuid:by-p-10', 'urn:uuid:by-p-11', 'urn:uuid:by-plain-10']);
    expect(after.flows.filter((flow) => flow.startsWith('urn:uuid:by-p-1') && !before.flows.includes(flow))).toEqual([
      'urn:uuid:by-p-10:produce',
      'urn:uuid:by-p-11:produce',
    ]);
  });

  it('names the EPCIS field of a transform line the flow validation refuses', async () => {
    const transform = {
      type: 'TransformationEvent',
      eventID: 'urn:uuid:kd-t-bad',
      eventTime: marchUtc(13),
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [kgOf(monaziteClass('BASTNAESITE_CONC', 'BY-2603-02', creditCodeOf('bayan')), 10_000)],
      outputQuantityList: [kgOf(monaziteClass('PRND_OXIDE', 'KD-PRND-02'), 1_000.5)],
    };
    const job = jobOf(await plant.post('/epcis/capture', epcisDocument([transform])));
    expect(job.success).toBe(false);
    expect(job.errors.map((error) => error.field)).toContain('outputQuantityList[0].quantity');
  });
});
