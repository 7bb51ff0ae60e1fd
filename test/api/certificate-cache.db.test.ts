import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { creditCodes, enterpriseIds, march, mineEvents, plantEvents } from '../flows/flow-world.ts';

/**
 * The public certificate check answers from memory with an ETag and Cache-Control, and 304 to a matching
 * If-None-Match; an answer is never given again once a month it cites has been sealed again or has recorded an event
 * (docs/flows.md, "Provenance certificates").
 */

interface World {
  context: TestContext;
  mine: Client;
  plant: Client;
  code: string;
  ids: Record<string, string>;
}

const extra = {
  event_id: 'BY-P-3',
  kind: 'produce',
  event_time: march(25),
  batch: 'BY-2603-03',
  product: 'BASTNAESITE_CONC',
  mass_kg: 5_000,
  grade_ppm: 500_000,
};

/** The mine and the plant record March and seal it; the plant's PrNd oxide gets its certificate. */
async function certifiedWorld(env: Record<string, string> = {}): Promise<World> {
  const context = await startTestApp(env);
  const [mine, plant] = await Promise.all([context.as('ent.bayan'), context.as('ent.kundulun')]);
  const codes = await creditCodes(context.database.db);
  expect((await mine.post('/api/v1/flows', { events: [...mineEvents(codes), extra] })).statusCode).toBe(201);
  expect((await plant.post('/api/v1/flows', { events: plantEvents(codes) })).statusCode).toBe(201);
  expect((await mine.post('/api/v1/declarations', { period: '2026-03' })).statusCode).toBe(201);
  expect((await plant.post('/api/v1/declarations', { period: '2026-03' })).statusCode).toBe(201);
  const oxide = (await plant.get('/api/v1/batches?code=KD-PRND-01')).json<{ id: number }[]>()[0]!;
  const issued = await plant.post(`/api/v1/batches/${oxide.id}/certificates`);
  expect(issued.statusCode, issued.body).toBe(201);
  return {
    context,
    mine,
    plant,
    code: issued.json<{ code: string }>().code,
    ids: await enterpriseIds(context.database.db),
  };
}

const check = (world: World, headers: Record<string, string> = {}) =>
  world.context.anonymous.request('GET', `/api/v1/public/certificates/${world.code}`, undefined, headers);

/** Outside Monazite: a line marked superseded straight in the database (the summaries do not see it). */
async function tamper(world: World): Promise<void> {
  await sql`INSERT INTO flow_superseded (enterprise_id, event_id, by_event_id, reason)
            VALUES (${world.ids.bayan}, 'BY-S-2', 'BY-S-X', 'outside')`.execute(world.context.database.db);
}

describe('the public certificate check, remembered', () => {
  let world: World;
  beforeAll(async () => {
    world = await certifiedWorld();
  });
  afterAll(() => world.context.close());

  it('sends an ETag and a public Cache-Control, and 304 to a matching If-None-Match', async () => {
    const first = await check(world);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'verified' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    const again = await check(world, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=60');
    expect((await check(world, { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);
    const other = await check(world, { 'if-none-match': '"other"' });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe(first.body);
    // Other API answers stay out of every cache.
    expect((await world.mine.get('/api/v1/batches?code=BY-2603-01')).headers['cache-control']).toBe('no-store');
  });

  it('does not give the remembered answer once a cited month changes, and follows the new seal', async () => {
    const before = await check(world);
    const etag = String(before.headers.etag);
    const amendment = await world.mine.post('/api/v1/flows', {
      events: [{ ...extra, event_id: 'BY-P-3b', mass_kg: 5_200, amends: ['BY-P-3'], reason: '复磅更正' }],
    });
    expect(amendment.statusCode, amendment.body).toBe(201);
    const altered = await check(world, { 'if-none-match': etag });
    expect(altered.statusCode).toBe(200);
    expect(altered.json()).toMatchObject({ status: 'altered' });
    expect(altered.headers.etag).not.toBe(etag);
    expect((await world.mine.post('/api/v1/declarations', { period: '2026-03' })).statusCode).toBe(201);
    const resealed = await check(world, { 'if-none-match': String(altered.headers.etag) });
    expect(resealed.statusCode).toBe(200);
    const answer = resealed.json<{ status: string; declarations: { sealed_version: number; status: string }[] }>();
    expect(answer.status).toBe('verified');
    expect(answer.declarations.map((declaration) => declaration.sealed_version).sort()).toEqual([1, 2]);
  });

  it('answers from memory within its age: a change made outside Monazite waits for the next hashing', async () => {
    const before = await check(world);
    expect(before.json()).toMatchObject({ status: 'verified' });
    await tamper(world);
    const after = await check(world);
    expect(after.json()).toMatchObject({ status: 'verified' });
    expect(after.headers.etag).toBe(before.headers.etag);
  });
});

describe('the public certificate check with CERTIFICATE_CACHE_SECONDS=0', () => {
  let world: World;
  beforeAll(async () => {
    world = await certifiedWorld({ CERTIFICATE_CACHE_SECONDS: '0' });
  });
  afterAll(() => world.context.close());

  it('hashes the months on every check, and no cache may keep it without asking', async () => {
    const before = await check(world);
    expect(before.json()).toMatchObject({ status: 'verified' });
    expect(before.headers['cache-control']).toBe('no-cache');
    await tamper(world);
    const after = await check(world, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ status: 'altered' });
  });
});

describe('/openapi.json', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(() => context.close());

  it('is the same document every time, as JSON', async () => {
    const first = await context.anonymous.get('/openapi.json');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.json<{ openapi: string }>().openapi).toBe('3.1.0');
    expect((await context.anonymous.get('/openapi.json')).body).toBe(first.body);
  });
});
