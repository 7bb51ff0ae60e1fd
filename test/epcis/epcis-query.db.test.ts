import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../src/server/modules/epcis/epcis.schema.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { epcisDocument, fixture, fixtureEvents, fixtureNames } from './epcis-documents.ts';

/** The events query: every event back as captured, each filter, paging, and who sees whose events. */

type Event = Record<string, unknown> & { eventID: string; recordTime: string };

function eventsOf(response: LightMyRequestResponse): Event[] {
  expect(response.statusCode, response.body).toBe(200);
  const document = response.json<{ epcisBody: { queryResults: { resultsBody: { eventList: Event[] } } } }>();
  expect(schemaErrors(document)).toEqual([]);
  return document.epcisBody.queryResults.resultsBody.eventList;
}

const ids = (events: Event[]) => events.map((event) => event.eventID).sort();
const nextOf = (response: LightMyRequestResponse): string | undefined => {
  const link = response.headers.link as string | undefined;
  const url = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
  return url ? `${new URL(url).pathname}${new URL(url).search}` : undefined;
};

describe('EPCIS query', () => {
  let context: TestContext;
  let bayan: Client;
  let dingnan: Client;
  /** Every event the mine captured, as captured. */
  const captured: Record<string, unknown>[] = [];
  let dingnanEventId: string;

  beforeAll(async () => {
    context = await startTestApp();
    [bayan, dingnan] = await Promise.all([context.as('ent.bayan'), context.as('ent.dingnan')]);
    for (const name of fixtureNames) {
      const response = await bayan.post('/epcis/capture', fixture(name));
      expect(response.statusCode, response.body).toBe(202);
      captured.push(...fixtureEvents(name));
    }
    dingnanEventId = 'urn:uuid:7d0c5b8e-dingnan-0001';
    const own = { ...fixtureEvents('Example_9.6.2-ObjectEvent.jsonld')[0], eventID: dingnanEventId };
    expect((await dingnan.post('/epcis/capture', epcisDocument([own]))).statusCode).toBe(202);
  });
  afterAll(() => context.close());

  it('gives every event back exactly as captured, with its recordTime (and an eventID when it had none)', async () => {
    const events = eventsOf(await bayan.get('/epcis/events'));
    expect(events).toHaveLength(captured.length);
    for (const [index, original] of captured.entries()) {
      const { recordTime, ...event } = events[index]!;
      expect(Date.parse(recordTime)).not.toBeNaN();
      if (original.eventID === undefined) {
        expect(event.eventID).toMatch(/^ni:\/\/\/sha-256;/);
        delete (event as Record<string, unknown>).eventID;
      }
      expect(event).toEqual(original);
    }
  });

  it('filters by event type, event time, bizStep (bare or URI), EPC and EPC class', async () => {
    const query = async (parameters: string) => ids(eventsOf(await bayan.get(`/epcis/events?${parameters}`)));
    const byId = (filter: (event: Record<string, unknown>) => boolean) =>
      captured
        .filter(filter)
        .map((event) => event.eventID as string | undefined)
        .filter((id): id is string => id !== undefined)
        .sort();
    expect(await query('eventType=AggregationEvent|TransformationEvent')).toEqual(
      byId((event) => event.type === 'AggregationEvent' || event.type === 'TransformationEvent'),
    );
    expect((await query('eventType=TransactionEvent')).length).toBe(2);
    expect(await query('GE_eventTime=2013-06-08T14:58:56.591Z&LT_eventTime=2013-06-09T00:00:00Z')).toEqual(
      byId((event) => String(event.eventTime).startsWith('2013-06-08')),
    );
    const receiving = byId((event) => event.bizStep === 'receiving');
    expect(receiving.length).toBe(3);
    expect(await query('EQ_bizStep=receiving')).toEqual(receiving);
    expect(await query(`EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-receiving')}`)).toEqual(
      receiving,
    );
    expect(await query('MATCH_epc=urn:epc:id:sgtin:0614141.107346.2018')).toEqual(
      byId(
        (event) =>
          JSON.stringify(event).includes('urn:epc:id:sgtin:0614141.107346.2018') &&
          event.type !== 'TransformationEvent',
      ),
    );
    expect(await query('MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*')).toHaveLength(3);
    expect(await query('MATCH_epc=urn:epc:id:sgtin:4012345.077889.25')).toEqual([]);
    expect(await query('MATCH_anyEPC=urn:epc:id:sgtin:4012345.077889.25|urn:epc:id:sscc:0614141.1234567890')).toEqual(
      byId((event) => event.type === 'TransformationEvent' || event.type === 'AggregationEvent'),
    );
    const lgtin = 'urn:epc:class:lgtin:4012345.012345.998877';
    expect(await query(`MATCH_anyEPCClass=${lgtin}`)).toEqual(byId((event) => JSON.stringify(event).includes(lgtin)));
    expect(await query('MATCH_anyEPCClass=urn:epc:class:lgtin:4012345.011111.4444')).toEqual(
      byId((event) => event.type === 'TransformationEvent'),
    );
    expect(await query('MATCH_epcClass=urn:epc:class:lgtin:4012345.011111.4444')).toEqual([]);
  });

  it('pages with perPage and an opaque nextPageToken in the Link header, without repeats or gaps', async () => {
    // The filters travel in the link; a TransformationEvent has no action, so EQ_action leaves it out.
    const all = eventsOf(await bayan.get('/epcis/events?perPage=1000&EQ_action=OBSERVE|ADD'));
    expect(all).toHaveLength(captured.length - 1);
    const seen: Event[] = [];
    let url: string | undefined = '/epcis/events?perPage=2&EQ_action=OBSERVE|ADD';
    let pages = 0;
    while (url) {
      const response = await bayan.get(url);
      const page = eventsOf(response);
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page);
      url = nextOf(response);
      pages += 1;
    }
    expect(seen.map((event) => event.eventID)).toEqual(all.map((event) => event.eventID));
    expect(pages).toBe(Math.ceil(all.length / 2));
    const tampered = await bayan.get(`/epcis/events?perPage=2&nextPageToken=${'x'.repeat(20)}`);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ type: 'epcisException:QueryParameterException' });
  });

  it('refuses unknown and unsupported parameters in the standard’s terms', async () => {
    expect((await bayan.get('/epcis/events?colour=red')).json()).toMatchObject({
      status: 400,
      type: 'epcisException:QueryParameterException',
    });
    expect((await bayan.get('/epcis/events?EQ_readPoint=urn:epc:id:sgln:1.2.3')).json()).toMatchObject({
      status: 501,
      type: 'epcisException:ImplementationException',
    });
  });

  it('gives one event by its URL-encoded eventID', async () => {
    const eventId = String(captured[0]!.eventID);
    const events = eventsOf(await bayan.get(`/epcis/events/${encodeURIComponent(eventId)}`));
    expect(events.map((event) => event.eventID)).toEqual([eventId]);
    const missing = await bayan.get(`/epcis/events/${encodeURIComponent('urn:uuid:none')}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'epcisException:NoSuchResourceException' });
  });

  it('answers JSON-LD when asked for it', async () => {
    const response = await bayan.request('GET', '/epcis/events?perPage=1', undefined, {
      accept: 'application/ld+json',
    });
    expect(response.headers['content-type']).toContain('application/ld+json');
  });

  it('shows an enterprise its own events, an official those of the division, the ministries all', async () => {
    const mine = captured.length;
    const count = async (login: string) =>
      eventsOf(await (await context.as(login)).get('/epcis/events?perPage=1000')).length;
    expect(eventsOf(await dingnan.get('/epcis/events')).map((event) => event.eventID)).toEqual([dingnanEventId]);
    expect(await count('baotou.iit')).toBe(mine);
    expect(await count('nmg.iit')).toBe(mine);
    expect(await count('ganzhou.nr')).toBe(1);
    expect(await count('longnan.iit')).toBe(0);
    expect(await count('miit')).toBe(mine + 1);
    expect(await count('oversight')).toBe(mine + 1);
  });

  it('refuses other callers on every query route', async () => {
    const eventUrl = `/epcis/events/${encodeURIComponent(String(captured[0]!.eventID))}`;
    const operator = await context.as('operator');
    for (const [method, url] of [
      ['GET', '/epcis/events'],
      ['GET', eventUrl],
      ['OPTIONS', '/epcis/events'],
    ] as const) {
      const anonymous = await context.anonymous.request(method as 'GET', url);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ type: 'epcisException:SecurityException' });
      const refused = await operator.request(method as 'GET', url);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ type: 'epcisException:SecurityException' });
    }
    expect((await dingnan.get(eventUrl)).statusCode).toBe(404);
    expect((await (await context.as('ganzhou.nr')).get(eventUrl)).statusCode).toBe(404);
    const discovery = await bayan.request('OPTIONS' as 'GET', '/epcis/events');
    expect(discovery.statusCode).toBe(204);
    expect(discovery.headers).toMatchObject({ allow: 'OPTIONS, GET', 'gs1-epcis-version': '2.0.0' });
  });
});
