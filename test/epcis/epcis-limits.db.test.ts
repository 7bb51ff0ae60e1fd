import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_LIMIT_SHAPE } from '../../src/server/modules/epcis/epcis.schema.ts';
import { apiJsonLimits } from '../../src/server/shared/json-limits.ts';
import { expectProblem, worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { epcisDocument, produceEvent } from './epcis-documents.ts';

/**
 * The shape of JSON bodies, checked before they are parsed: an EPCIS capture nested too deep, with an object of
 * too many keys or a string too long is refused with the binding's 413 CaptureLimitExceededException naming
 * the limit — never a 500 — and writes nothing (not even a capture job); /api bodies have their own limits.
 */

/** `{"a":{"a":…}}` nested `depth` deep, as text (a value JSON.stringify would need to recurse for). */
const nestedText = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('EPCIS capture: limits on the document', () => {
  let context: TestContext;
  let bayan: Client;
  const jobs = async () =>
    Number(
      (
        await context.database.db
          .selectFrom('epcis_capture')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    context = await startTestApp();
    bayan = await context.as('ent.bayan');
  });
  afterAll(() => context.close());

  /** Sends the document text as written, so it may nest deeper than JSON.stringify would go. */
  const captureText = (text: string, type = 'application/json') =>
    bayan.request('POST', '/epcis/capture', text, { 'content-type': type });

  async function expectLimit(response: LightMyRequestResponse, limit: string, max: number) {
    expect(response.statusCode, response.body).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: 'epcisException:CaptureLimitExceededException',
      status: 413,
      params: { limit, max },
    });
    expect(response.headers['gs1-epcis-capture-limit']).toBe('5000');
  }

  it('refuses a document nested deeper than the limit, however deep, in JSON and JSON-LD', async () => {
    const before = [await worldDigest(context.database.db), await jobs()];
    const event = JSON.stringify(produceEvent('urn:uuid:deep-1', 'DEEP-1', 10));
    for (const depth of [CAPTURE_LIMIT_SHAPE.json_depth + 1, 200_000]) {
      const text = JSON.stringify(epcisDocument([])).replace(
        '"eventList":[]',
        `"eventList":[${event.slice(0, -1)},"monazite:note":${nestedText(depth)}}]`,
      );
      for (const type of ['application/json', 'application/ld+json'])
        await expectLimit(await captureText(text, type), 'json_depth', CAPTURE_LIMIT_SHAPE.json_depth);
    }
    expect([await worldDigest(context.database.db), await jobs()]).toEqual(before);
  });

  it('refuses a string longer than the limit, and an object with more keys than the limit', async () => {
    const before = [await worldDigest(context.database.db), await jobs()];
    const long = epcisDocument([
      produceEvent('urn:uuid:long-1', 'LONG-1', 10, {
        'monazite:note': 'x'.repeat(CAPTURE_LIMIT_SHAPE.json_string_chars + 1),
      }),
    ]);
    await expectLimit(
      await captureText(JSON.stringify(long)),
      'json_string_chars',
      CAPTURE_LIMIT_SHAPE.json_string_chars,
    );
    const keys = Object.fromEntries(
      Array.from({ length: CAPTURE_LIMIT_SHAPE.json_object_keys + 1 }, (_, index) => [`k${index}`, index]),
    );
    const wide = epcisDocument([produceEvent('urn:uuid:wide-1', 'WIDE-1', 10, { 'monazite:note': keys })]);
    await expectLimit(
      await captureText(JSON.stringify(wide)),
      'json_object_keys',
      CAPTURE_LIMIT_SHAPE.json_object_keys,
    );
    expect([await worldDigest(context.database.db), await jobs()]).toEqual(before);
  });

  it('still captures a document within the limits, with an extension value nested a few levels', async () => {
    const document = epcisDocument([
      produceEvent('urn:uuid:ok-1', 'OK-1', 10, { 'monazite:note': JSON.parse(nestedText(5)) as unknown }),
    ]);
    const response = await captureText(JSON.stringify(document));
    expect(response.statusCode, response.body).toBe(202);
  });
});

describe('/api JSON bodies: limits on their shape', () => {
  let context: TestContext;
  let bayan: Client;

  beforeAll(async () => {
    context = await startTestApp();
    bayan = await context.as('ent.bayan');
  });
  afterAll(() => context.close());

  it('refuses a body nested deeper than the limit with 413 naming it, never a 500, and writes nothing', async () => {
    const before = await worldDigest(context.database.db);
    for (const depth of [apiJsonLimits.json_depth + 1, 200_000]) {
      const text = `{"events":[${nestedText(depth)}]}`;
      const response = await bayan.request('POST', '/api/v1/flows', text, { 'content-type': 'application/json' });
      const problem = expectProblem(response, 413, 'body_limit_exceeded');
      expect(problem).toMatchObject({ params: { limit: 'json_depth', max: apiJsonLimits.json_depth } });
    }
    const keys = Object.fromEntries(
      Array.from({ length: apiJsonLimits.json_object_keys + 1 }, (_, index) => [`k${index}`, index]),
    );
    const wide = await bayan.request('POST', '/api/v1/auth/tokens', JSON.stringify({ name: 't', ...keys }), {
      'content-type': 'application/json',
    });
    expect(expectProblem(wide, 413, 'body_limit_exceeded')).toMatchObject({
      params: { limit: 'json_object_keys', max: apiJsonLimits.json_object_keys },
    });
    expect(await worldDigest(context.database.db)).toBe(before);
  });

  it('still parses ordinary bodies and refuses prototype keys as before', async () => {
    const created = await bayan.post('/api/v1/auth/tokens', { name: 'shape test' });
    expect(created.statusCode, created.body).toBe(201);
    const proto = await bayan.request('POST', '/api/v1/auth/tokens', '{"name":"x","__proto__":{"a":1}}', {
      'content-type': 'application/json',
    });
    expect(proto.statusCode).toBe(400);
  });
});
