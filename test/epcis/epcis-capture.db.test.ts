import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  epcisDocument,
  fixture,
  fixtureEvents,
  fixtureNames,
  kgOf,
  monaziteClass,
  produceEvent,
} from './epcis-documents.ts';

/** The capture interface: jobs, the standard's error answers, rollback and proceed, replays, who may capture. */

interface Job {
  captureID: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: string;
  errors: { type: string; eventIndex?: number; field?: string; eventID?: string; detail?: string }[];
  summary?: { events: number; stored: number; unchanged: number; rejected: number };
}

function expectEpcisProblem(response: LightMyRequestResponse, status: number, type: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.json()).toMatchObject({ status, type, title: expect.any(String) as unknown });
}

const capture = (client: Client, document: unknown, headers: Record<string, string> = {}) =>
  client.request('POST', '/epcis/capture', document, headers);

function jobOf(response: LightMyRequestResponse): Job {
  expect(response.statusCode, response.body).toBe(202);
  return response.json<Job>();
}

describe('EPCIS capture', () => {
  let context: TestContext;
  let bayan: Client;
  let dingnan: Client;
  const eventRows = async () =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM epcis_event`.execute(context.database.db)).rows[0]?.n ?? 0,
    );

  beforeAll(async () => {
    context = await startTestApp();
    [bayan, dingnan] = await Promise.all([context.as('ent.bayan'), context.as('ent.dingnan')]);
  });
  afterAll(() => context.close());

  it('accepts each of the standard’s example documents, with a capture job at its Location', async () => {
    for (const name of [...fixtureNames, 'EPCISQueryDocument.jsonld']) {
      const response = await capture(bayan, fixture(name));
      const job = jobOf(response);
      const events = name === 'EPCISQueryDocument.jsonld' ? 2 : fixtureEvents(name).length;
      expect(job).toMatchObject({ running: false, success: true, captureErrorBehaviour: 'rollback', errors: [] });
      expect(job.summary?.events).toBe(events);
      expect(response.headers.location).toBe(`/epcis/capture/${job.captureID}`);
      expect(response.headers['gs1-epcis-capture-limit']).toBe('5000');
      const polled = await bayan.get(response.headers.location as string);
      expect(polled.statusCode).toBe(200);
      expect(polled.json()).toEqual(job);
    }
    // The query document repeats the two events of Example 9.6.1: unchanged, not stored twice.
    expect(await eventRows()).toBe(7);
  });

  it('takes JSON-LD as application/ld+json', async () => {
    const document = epcisDocument([
      { ...fixtureEvents('Example_9.6.2-ObjectEvent.jsonld')[0], eventID: 'urn:uuid:ld-1' },
    ]);
    const response = await capture(bayan, JSON.stringify(document), { 'content-type': 'application/ld+json' });
    expect(jobOf(response).summary).toMatchObject({ stored: 1 });
  });

  it('answers a replayed capture with nothing new, and never stores an event twice', async () => {
    const before = await eventRows();
    const job = jobOf(await capture(bayan, fixture('Example_9.6.1-ObjectEvent.jsonld')));
    expect(job).toMatchObject({ success: true, summary: { stored: 0, unchanged: 2 } });
    expect(await eventRows()).toBe(before);
  });

  it('refuses an eventID captured before with other content; proceed keeps the rest', async () => {
    const [first, second] = fixtureEvents('Example_9.6.1-ObjectEvent.jsonld');
    const changed = { ...first, disposition: 'in_progress' };
    const fresh = { ...second, eventID: 'urn:uuid:fresh-1' };
    const before = await eventRows();
    const refused = jobOf(await capture(bayan, epcisDocument([fresh, changed])));
    expect(refused).toMatchObject({ success: false, summary: { stored: 0, rejected: 2 } });
    expect(refused.errors).toEqual([
      expect.objectContaining({
        type: 'epcisException:ResourceAlreadyExistsException',
        eventIndex: 1,
        eventID: first!.eventID,
        field: 'eventID',
      }),
    ]);
    expect(await eventRows()).toBe(before);
    const kept = jobOf(
      await capture(bayan, epcisDocument([fresh, changed]), { 'GS1-Capture-Error-Behaviour': 'proceed' }),
    );
    expect(kept).toMatchObject({
      success: false,
      captureErrorBehaviour: 'proceed',
      summary: { stored: 1, rejected: 1 },
    });
    expect(await eventRows()).toBe(before + 1);
  });

  it('refuses, in rollback mode, a whole document whose Monazite event cannot be a flow; proceed stores the others', async () => {
    const bad = produceEvent('urn:uuid:bad-uom', 'L1', 10, {
      quantityList: [kgOf(monaziteClass('BASTNAESITE_CONC', 'L1'), 10, 'TNE')],
    });
    const plain = { ...fixtureEvents('Example_9.6.2-ObjectEvent.jsonld')[0], eventID: 'urn:uuid:plain-1' };
    const before = await eventRows();
    const refused = jobOf(await capture(bayan, epcisDocument([plain, bad])));
    expect(refused.success).toBe(false);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        type: 'epcisException:ValidationException',
        eventIndex: 1,
        eventID: 'urn:uuid:bad-uom',
        field: 'quantityList[0].uom',
      }),
    ]);
    expect(await eventRows()).toBe(before);
    const kept = jobOf(await capture(bayan, epcisDocument([plain, bad]), { 'GS1-Capture-Error-Behaviour': 'proceed' }));
    expect(kept).toMatchObject({ success: false, summary: { stored: 1, rejected: 1 } });
    expect(kept.errors.map((error) => error.eventIndex)).toEqual([1]);
    expect(await eventRows()).toBe(before + 1);
  });

  it('answers invalid documents with the standard’s errors, and records no job for them', async () => {
    const jobs = async () => (await bayan.get('/epcis/capture?perPage=1000')).json<Job[]>().length;
    const before = await jobs();
    const notJson = await capture(bayan, '{"type": "EPCISDocument",', { 'content-type': 'application/json' });
    expectEpcisProblem(notJson, 400, 'epcisException:ValidationException');
    const broken = epcisDocument([{ ...produceEvent('urn:uuid:x', 'L1', 1), gradePpm: 1 }]);
    const invalid = await capture(bayan, broken);
    expectEpcisProblem(invalid, 400, 'epcisException:ValidationException');
    expect(invalid.json<{ errors: { pointer: string; message: string }[] }>().errors).toContainEqual({
      pointer: '/epcisBody/eventList/0',
      message: expect.stringContaining('"gradePpm"') as unknown,
    });
    expectEpcisProblem(await capture(bayan, { type: 'ObjectEvent' }), 400, 'epcisException:ValidationException');
    const plain = await capture(bayan, 'hello', { 'content-type': 'text/plain' });
    expectEpcisProblem(plain, 415, 'epcisException:UnsupportedMediaTypeException');
    const many = epcisDocument(Array.from({ length: 5001 }, () => ({})));
    const tooMany = await capture(bayan, many);
    expectEpcisProblem(tooMany, 413, 'epcisException:CaptureLimitExceededException');
    expect(tooMany.headers['gs1-epcis-capture-limit']).toBe('5000');
    const huge = epcisDocument([
      { ...produceEvent('urn:uuid:h', 'L1', 1), 'monazite:note': 'x'.repeat(9 * 1024 * 1024) },
    ]);
    expectEpcisProblem(await capture(bayan, huge), 413, 'epcisException:CaptureLimitExceededException');
    const behaviour = await capture(bayan, fixture('Example_9.6.1-ObjectEvent.jsonld'), {
      'GS1-Capture-Error-Behaviour': 'sometimes',
    });
    expectEpcisProblem(behaviour, 400, 'epcisException:ValidationException');
    const xml = await capture(bayan, fixture('Example_9.6.1-ObjectEvent.jsonld'), { accept: 'application/xml' });
    expectEpcisProblem(xml, 406, 'epcisException:NotAcceptableException');
    expect(await jobs()).toBe(before);
  });

  it('lists the enterprise’s own jobs, newest first, paged with a Link header', async () => {
    const all = (await bayan.get('/epcis/capture?perPage=1000')).json<Job[]>();
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let url: string | undefined = '/epcis/capture?perPage=4';
    while (url) {
      const page = await bayan.get(url);
      expect(page.statusCode).toBe(200);
      seen.push(...page.json<Job[]>().map((job) => job.captureID));
      const link = page.headers.link as string | undefined;
      url = link
        ? new URL(/^<([^>]+)>; rel="next"$/.exec(link)![1]!).pathname + new URL(/^<([^>]+)>/.exec(link)![1]!).search
        : undefined;
    }
    expect(seen).toEqual(all.map((job) => job.captureID));
    expect((await dingnan.get('/epcis/capture')).json()).toEqual([]);
  });

  it('tells its limits on OPTIONS', async () => {
    const response = await bayan.request('OPTIONS' as 'GET', '/epcis/capture');
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      allow: 'OPTIONS, POST, GET',
      'gs1-epcis-version': '2.0.0',
      'gs1-epcis-capture-limit': '5000',
      'gs1-epcis-capture-file-size-limit': String(8 * 1024 * 1024),
      'gs1-capture-error-behaviour': 'all',
    });
  });

  it('lets only enterprise users capture and read their own jobs', async () => {
    const job = jobOf(await capture(bayan, epcisDocument([])));
    const jobUrl = `/epcis/capture/${job.captureID}`;
    for (const [method, url] of [
      ['POST', '/epcis/capture'],
      ['GET', '/epcis/capture'],
      ['GET', jobUrl],
      ['OPTIONS', '/epcis/capture'],
    ] as const) {
      const body = method === 'POST' ? epcisDocument([]) : undefined;
      expectEpcisProblem(
        await context.anonymous.request(method as 'GET', url, body),
        401,
        'epcisException:SecurityException',
      );
      for (const login of ['miit', 'baotou.iit', 'oversight', 'operator']) {
        const official = await context.as(login);
        expectEpcisProblem(await official.request(method as 'GET', url, body), 403, 'epcisException:SecurityException');
      }
    }
    expectEpcisProblem(await dingnan.get(jobUrl), 404, 'epcisException:NoSuchResourceException');
    expectEpcisProblem(await bayan.get('/epcis/capture/not-a-job'), 404, 'epcisException:NoSuchResourceException');
    expectEpcisProblem(await bayan.get('/epcis/nothing-here'), 404, 'epcisException:NoSuchResourceException');
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await context.anonymous.get('/openapi.json')).json<{
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: { content: Record<string, unknown> } }>>;
    }>();
    for (const path of ['/epcis/capture', '/epcis/capture/{captureID}', '/epcis/events', '/epcis/events/{eventID}'])
      expect(document.paths[path]?.get?.tags).toEqual(['epcis']);
    expect(Object.keys(document.paths['/epcis/capture']?.post?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'application/ld+json',
    ]);
  });

  it('takes an API token as Authorization: Bearer', async () => {
    const created = await bayan.post('/api/v1/auth/tokens', { name: 'epcis', expires_in_days: 30 });
    expect(created.statusCode, created.body).toBe(201);
    const { token } = created.json<{ token: string }>();
    const response = await context.anonymous.request('POST', '/epcis/capture', epcisDocument([]), {
      authorization: `Bearer ${token}`,
    });
    expect(response.statusCode, response.body).toBe(202);
  });
});
