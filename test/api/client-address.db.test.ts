import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type TestContext } from '../support/app.ts';
import { expectProblem, type Db } from './api-helpers.ts';

/**
 * The client address is the real one (issue 12, item 6): X-Forwarded-For counts only from a configured proxy
 * (TRUST_PROXY), and the audit chain and the security event log keep the socket's address beside it.
 */

function signIn(
  context: TestContext,
  login: string,
  password: string,
  remoteAddress: string,
  forwardedFor?: string,
): Promise<LightMyRequestResponse> {
  return context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
}

async function auditOf(db: Db, requestId: string) {
  return db
    .selectFrom('audit_entry')
    .select(['action', 'ip', 'socket_ip'])
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
}

async function eventOf(db: Db, requestId: string) {
  return db
    .selectFrom('security_event')
    .select(['status', 'ip', 'socket_ip'])
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
}

describe('TRUST_PROXY', () => {
  it('is off by default, and takes a list of addresses and CIDR ranges', () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/9'])
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });
});

describe('with no trusted proxy (the default)', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => context.close());

  it('a client rotating X-Forwarded-For is still one address to the login rate limit', async () => {
    const answers: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1)
      answers.push((await signIn(context, 'mnr', `guess-${attempt}`, '192.0.2.15', `203.0.113.${attempt}`)).statusCode);
    expect(answers).toEqual([401, 401, 401, 429]);
    // Another real address has its own allowance.
    expect((await signIn(context, 'mnr', DEMO_PASSWORD, '192.0.2.16', '192.0.2.15')).statusCode).toBe(200);
  });

  it('the audit chain and the security event log record the socket address, not the forged one', async () => {
    const db = context.database.db;
    const ok = await signIn(context, 'ndrc', DEMO_PASSWORD, '192.0.2.21', '203.0.113.200');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await auditOf(db, String(ok.headers['x-request-id']))).toEqual({
      action: 'auth.login',
      ip: '192.0.2.21',
      socket_ip: '192.0.2.21',
    });
    const refused = await signIn(context, 'ndrc', 'not-the-password', '192.0.2.22', '203.0.113.201');
    expectProblem(refused, 401, 'bad_credentials');
    const requestId = String(refused.headers['x-request-id']);
    expect(await auditOf(db, requestId)).toEqual({
      action: 'auth.login_failed',
      ip: '192.0.2.22',
      socket_ip: '192.0.2.22',
    });
    expect(await eventOf(db, requestId)).toEqual({ status: 401, ip: '192.0.2.22', socket_ip: '192.0.2.22' });
  });
});

describe('behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp({ TRUST_PROXY: '127.0.0.1', LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => context.close());

  it("the proxy's X-Forwarded-For is the client address, and the proxy's own address is kept beside it", async () => {
    const db = context.database.db;
    const ok = await signIn(context, 'ndrc', DEMO_PASSWORD, '127.0.0.1', '203.0.113.77');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await auditOf(db, String(ok.headers['x-request-id']))).toEqual({
      action: 'auth.login',
      ip: '203.0.113.77',
      socket_ip: '127.0.0.1',
    });
    const refused = await signIn(context, 'ndrc', 'not-the-password', '127.0.0.1', '203.0.113.78');
    expectProblem(refused, 401, 'bad_credentials');
    const requestId = String(refused.headers['x-request-id']);
    expect(await auditOf(db, requestId)).toMatchObject({ ip: '203.0.113.78', socket_ip: '127.0.0.1' });
    expect(await eventOf(db, requestId)).toEqual({ status: 401, ip: '203.0.113.78', socket_ip: '127.0.0.1' });
    // Oversight sees both in the audit search and the security event log.
    const oversight = await context.as('oversight');
    const search = await oversight.get('/api/v1/audit?ip=203.0.113.78');
    expect(search.json<{ items: { ip: string; socket_ip: string | null }[] }>().items[0]).toMatchObject({
      ip: '203.0.113.78',
      socket_ip: '127.0.0.1',
    });
    const log = await oversight.get('/api/v1/oversight/security-events?ip=203.0.113.78');
    expect(log.json<{ items: { ip: string; socket_ip: string | null }[] }>().items[0]).toMatchObject({
      ip: '203.0.113.78',
      socket_ip: '127.0.0.1',
    });
  });

  it('each forwarded client has its own rate limit allowance behind the proxy', async () => {
    for (let attempt = 1; attempt <= 3; attempt += 1)
      expect((await signIn(context, 'mnr', `guess-${attempt}`, '127.0.0.1', '198.51.100.1')).statusCode).toBe(401);
    expect((await signIn(context, 'mnr', 'guess-4', '127.0.0.1', '198.51.100.1')).statusCode).toBe(429);
    expect((await signIn(context, 'mnr', DEMO_PASSWORD, '127.0.0.1', '198.51.100.2')).statusCode).toBe(200);
  });

  it('a peer that is not the proxy cannot name its address', async () => {
    const db = context.database.db;
    const refused = await signIn(context, 'ndrc', 'not-the-password', '192.0.2.50', '203.0.113.79');
    expectProblem(refused, 401, 'bad_credentials');
    expect(await eventOf(db, String(refused.headers['x-request-id']))).toEqual({
      status: 401,
      ip: '192.0.2.50',
      socket_ip: '192.0.2.50',
    });
  });
});
