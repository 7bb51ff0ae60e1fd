import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { passwordVerifications } from '../../src/server/modules/auth/password.ts';
import { startTestApp, type TestContext } from '../support/app.ts';
import { countRows, expectProblem } from './api-helpers.ts';

/**
 * Sign-in throttling by login and client address together (issue 12, item 7): a stranger's failures from one
 * address slow that address down for that login and nobody else; every refusal looks the same; the real user
 * hears of the failures after signing in.
 */

const STRANGER = '198.51.100.66';
const OWNER = '192.0.2.44';
const START = new Date('2026-12-07T02:00:00.000Z');

let context: TestContext;
let now = START.getTime();
const advance = (seconds: number): void => {
  now += seconds * 1000;
};

function signIn(login: string, password: string, remoteAddress: string): Promise<LightMyRequestResponse> {
  return context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password },
    remoteAddress,
    headers: { 'user-agent': 'throttle-test' },
  });
}

interface FailedSignIns {
  count: number;
  last_at: string;
  addresses: string[];
}

beforeAll(async () => {
  context = await startTestApp(
    { LOGIN_THROTTLE_FREE_ATTEMPTS: '3', LOGIN_THROTTLE_BASE_SECONDS: '60', LOGIN_THROTTLE_MAX_SECONDS: '600' },
    { clock: () => new Date(now) },
  );
});
afterAll(async () => context.close());

describe('sign-in throttling', () => {
  it('a stranger failing 20 times from one address does not stop the real user signing in from another', async () => {
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      expectProblem(await signIn('mnr', `stranger-guess-${attempt}`, STRANGER), 401, 'bad_credentials');
      advance(1);
    }
    const owner = await signIn('mnr', DEMO_PASSWORD, OWNER);
    expect(owner.statusCode, owner.body).toBe(200);
    expect(owner.cookies.find((cookie) => cookie.name === 'monazite_session')).toBeDefined();
  });

  it('the same address is refused with a delay that doubles after each further failure, even the right password', async () => {
    for (let attempt = 1; attempt <= 3; attempt += 1)
      expectProblem(await signIn('ndrc', `wrong-password-${attempt}`, STRANGER), 401, 'bad_credentials');
    // Three failures: the next attempt from that address waits 60 s, right password or not.
    const sessions = await countRows(context.database.db, 'user_session');
    expectProblem(await signIn('ndrc', DEMO_PASSWORD, STRANGER), 401, 'bad_credentials');
    advance(59);
    expectProblem(await signIn('ndrc', DEMO_PASSWORD, STRANGER), 401, 'bad_credentials');
    expect(await countRows(context.database.db, 'user_session')).toBe(sessions);
    advance(1);
    // The wait is over: the attempt is checked, and a fourth failure doubles the delay to 120 s.
    expectProblem(await signIn('ndrc', 'wrong-password-4', STRANGER), 401, 'bad_credentials');
    advance(119);
    expectProblem(await signIn('ndrc', DEMO_PASSWORD, STRANGER), 401, 'bad_credentials');
    // Meanwhile the same login from another address is not held up.
    expect((await signIn('ndrc', DEMO_PASSWORD, OWNER)).statusCode).toBe(200);
    advance(1);
    expectProblem(await signIn('ndrc', 'wrong-password-5', STRANGER), 401, 'bad_credentials');
    advance(239);
    expectProblem(await signIn('ndrc', DEMO_PASSWORD, STRANGER), 401, 'bad_credentials');
    advance(1);
    const through = await signIn('ndrc', DEMO_PASSWORD, STRANGER);
    expect(through.statusCode, through.body).toBe(200);
    // A sign-in from the address starts its count afresh.
    for (let attempt = 6; attempt <= 7; attempt += 1)
      expectProblem(await signIn('ndrc', `wrong-password-${attempt}`, STRANGER), 401, 'bad_credentials');
    expect((await signIn('ndrc', DEMO_PASSWORD, STRANGER)).statusCode).toBe(200);
  });

  it('the delay is capped, and an unknown login is throttled exactly like a known one', async () => {
    for (const login of ['miit.review', 'no.such.person']) {
      for (let attempt = 1; attempt <= 8; attempt += 1) {
        expectProblem(await signIn(login, `cap-guess-${attempt}`, '203.0.113.5'), 401, 'bad_credentials');
        advance(600);
      }
    }
    // 8 failures would be 60 · 2^5 = 1920 s uncapped; the cap is 600 s.
    for (let attempt = 9; attempt <= 12; attempt += 1)
      expectProblem(await signIn('miit.review', `cap-guess-${attempt}`, '203.0.113.5'), 401, 'bad_credentials');
    advance(599);
    expectProblem(await signIn('miit.review', DEMO_PASSWORD, '203.0.113.5'), 401, 'bad_credentials');
    advance(1);
    expect((await signIn('miit.review', DEMO_PASSWORD, '203.0.113.5')).statusCode).toBe(200);
  });

  it('unknown login, wrong password and a throttled attempt get byte-identical answers, each after a password check', async () => {
    const address = '203.0.113.99';
    for (let attempt = 1; attempt <= 3; attempt += 1)
      expectProblem(await signIn('nmg.iit', `guess-${attempt}`, address), 401, 'bad_credentials');
    const answers: LightMyRequestResponse[] = [];
    for (const [login, password, from] of [
      ['nobody.at.all', 'guess-x', OWNER], // unknown login
      ['ganzhou.nr', 'guess-x', OWNER], // wrong password
      ['nmg.iit', DEMO_PASSWORD, address], // throttled (right password)
      ['nmg.iit', 'guess-4', address], // throttled (wrong password)
    ] as const) {
      const before = passwordVerifications();
      const answer = await signIn(login, password, from);
      // The password hash (a decoy's for an unknown login) is verified whatever the outcome: same work, same time.
      expect(passwordVerifications(), `${login} from ${from}`).toBe(before + 1);
      answers.push(answer);
    }
    const [first, ...rest] = answers;
    expectProblem(first!, 401, 'bad_credentials');
    expect(first!.json<{ detail: string }>().detail).toBe('The login or the password is wrong.');
    for (const answer of rest) {
      expect(answer.statusCode).toBe(first!.statusCode);
      expect(answer.body).toBe(first!.body);
      expect(answer.headers['content-type']).toBe(first!.headers['content-type']);
      expect(answer.headers['content-length']).toBe(first!.headers['content-length']);
      expect(answer.headers['retry-after']).toBeUndefined();
      expect(answer.cookies).toHaveLength(0);
    }
  });

  it('after signing in, the real user is told of the failed attempts since the last sign-in, once', async () => {
    const db = context.database.db;
    expect((await signIn('baotou.iit', DEMO_PASSWORD, OWNER)).statusCode).toBe(200);
    const clean = (await signIn('baotou.iit', DEMO_PASSWORD, OWNER)).json<{ failed_sign_ins: unknown }>();
    expect(clean.failed_sign_ins).toBeNull();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      advance(30);
      expectProblem(await signIn('baotou.iit', `stranger-${attempt}`, STRANGER), 401, 'bad_credentials');
    }
    advance(30);
    expectProblem(await signIn('baotou.iit', 'another-guess', '203.0.113.7'), 401, 'bad_credentials');
    const lastFailure = new Date(now).toISOString();
    advance(60);
    const owner = await signIn('baotou.iit', DEMO_PASSWORD, OWNER);
    expect(owner.statusCode, owner.body).toBe(200);
    const notice = owner.json<{ failed_sign_ins: FailedSignIns | null }>().failed_sign_ins;
    // Five failures from the stranger (the last two refused by the throttle) and one from elsewhere.
    expect(notice).toEqual({ count: 6, last_at: lastFailure, addresses: ['203.0.113.7', STRANGER] });
    // The session answers the same notice (the web app reads it there after a reload).
    const cookie = owner.cookies.find((item) => item.name === 'monazite_session')!.value;
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `monazite_session=${cookie}` },
    });
    expect(me.json<{ failed_sign_ins: FailedSignIns | null }>().failed_sign_ins).toEqual(notice);
    // Told once: the next sign-in has nothing new to report.
    const again = await signIn('baotou.iit', DEMO_PASSWORD, OWNER);
    expect(again.json<{ failed_sign_ins: FailedSignIns | null }>().failed_sign_ins).toBeNull();
    // The stranger's address is still throttled for that login: the owner's sign-in elsewhere did not reset it.
    expectProblem(await signIn('baotou.iit', DEMO_PASSWORD, STRANGER), 401, 'bad_credentials');
    // Every refusal is in the security event log, and in the audit chain against the account.
    const events = await db
      .selectFrom('security_event')
      .select(['status', 'code', 'actor_login'])
      .where('route', '=', '/api/v1/auth/login')
      .where('ip', '=', STRANGER)
      .where('actor_login', '=', 'baotou.iit')
      .execute();
    expect(events).toHaveLength(6);
    for (const event of events)
      expect(event).toEqual({ status: 401, code: 'bad_credentials', actor_login: 'baotou.iit' });
  });

  it('a login/address pair quiet for 30 days is forgotten, so logins nobody has do not pile up', async () => {
    const pairs = () =>
      context.database.db
        .selectFrom('login_throttle')
        .select(['login', 'ip'])
        .where('login', '=', 'no.such.person')
        .execute();
    expect(await pairs()).toEqual([{ login: 'no.such.person', ip: '203.0.113.5' }]);
    advance(29 * 86_400);
    expectProblem(await signIn('nobody.else', 'guess', '203.0.113.6'), 401, 'bad_credentials');
    expect(await pairs()).toHaveLength(1);
    advance(2 * 86_400);
    expectProblem(await signIn('nobody.else', 'guess', '203.0.113.6'), 401, 'bad_credentials');
    expect(await pairs()).toEqual([]);
  });

  it("oversight's repeated-denials rule fires on an address's refused sign-ins", async () => {
    const oversight = await context.as('oversight');
    const run = await oversight.post('/api/v1/oversight/runs', {});
    expect(run.statusCode, run.body).toBeLessThan(300);
    const alerts = await oversight.get('/api/v1/oversight/alerts?rule=repeated_denials');
    expect(alerts.statusCode, alerts.body).toBe(200);
    const items = alerts.json<{ items: { subject_type: string; subject_id: string; evidence: { count: number } }[] }>()
      .items;
    const stranger = items.filter((alert) => alert.subject_type === 'ip' && alert.subject_id === STRANGER);
    expect(stranger.length).toBeGreaterThan(0);
    expect(stranger[0]!.evidence.count).toBeGreaterThanOrEqual(10);
  });
});
