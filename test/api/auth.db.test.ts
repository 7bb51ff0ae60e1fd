import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  countRows,
  demoEnterpriseIds,
  enterpriseVersion,
  expectProblem,
  newEnterpriseBody,
  newProductBody,
  productVersion,
  rawSession,
  userIds,
  type Db,
} from './api-helpers.ts';

const login = (context: TestContext, name: string, password: string) =>
  context.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: name, password } });

function setCookieHeader(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  return Array.isArray(header) ? header.join('\n') : (header ?? '');
}

async function lastAudit(db: Db) {
  return db.selectFrom('audit_entry').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
}

describe('authentication', () => {
  let context: TestContext;
  let operator: Client;
  let users: Record<string, string>;

  beforeAll(async () => {
    context = await startTestApp({ LOGIN_THROTTLE_FREE_ATTEMPTS: '3' });
    operator = await context.as('operator');
    users = await userIds(context.database.db);
  });
  afterAll(async () => context.close());

  describe('sign-in', () => {
    it('sets an httpOnly, SameSite=Strict session cookie and answers who signed in with a CSRF token', async () => {
      const response = await login(context, 'baotou.iit', DEMO_PASSWORD);
      expect(response.statusCode).toBe(200);
      const body = response.json<{
        login: string;
        role: string;
        division_code: string;
        permissions: string[];
        csrf_token: string;
        session_stage: string;
      }>();
      expect(body).toMatchObject({ login: 'baotou.iit', role: 'department_official', division_code: '150200' });
      // The password alone grants nothing: an official's one-time code comes next.
      expect(body.session_stage).toBe('second_factor');
      expect(body.permissions).toEqual([]);
      expect(body.csrf_token.length).toBeGreaterThanOrEqual(24);

      const cookie = response.cookies.find((item) => item.name === 'monazite_session');
      expect(cookie).toBeDefined();
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Strict');
      expect(cookie?.path).toBe('/');
      expect(cookie?.value.length).toBeGreaterThanOrEqual(32);
      expect(cookie?.value).not.toBe(body.csrf_token);
      const header = setCookieHeader(response);
      expect(header).toMatch(/HttpOnly/);
      expect(header).toMatch(/SameSite=Strict/);
      // The session lasts SESSION_TTL_HOURS (12 by default).
      const expires = cookie?.expires?.getTime() ?? 0;
      expect(Math.abs(expires - (Date.now() + 12 * 3_600_000))).toBeLessThan(120_000);
      // Only a hash of the session token is stored.
      const stored = await context.database.db.selectFrom('user_session').select('id_hash').execute();
      expect(stored.map((row) => row.id_hash)).not.toContain(cookie?.value);

      const me = await context.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: `monazite_session=${cookie?.value ?? ''}` },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json<{ login: string; csrf_token: string }>()).toMatchObject({
        login: 'baotou.iit',
        csrf_token: body.csrf_token,
      });
      const given = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/second-factor',
        headers: { cookie: `monazite_session=${cookie?.value ?? ''}`, 'x-csrf-token': body.csrf_token },
        payload: { code: await context.codes.next('baotou.iit') },
      });
      expect(given.statusCode, given.body).toBe(200);
      const signedIn = given.json<{ permissions: string[]; session_stage: string }>();
      expect(signedIn.session_stage).toBe('full');
      expect(signedIn.permissions).toContain('enterprise.write');
      expect(signedIn.permissions).not.toContain('designation.write');
    });

    it('a wrong password and an unknown login get the same 401 bad_credentials and no cookie', async () => {
      const db = context.database.db;
      const sessions = await countRows(db, 'user_session');
      const wrong = await login(context, 'mnr', 'not-the-password-1');
      const unknown = await login(context, 'nobody.here', 'not-the-password-1');
      for (const response of [wrong, unknown]) {
        expectProblem(response, 401, 'bad_credentials');
        expect(response.cookies).toHaveLength(0);
      }
      expect(wrong.body).toBe(unknown.body);
      expect(await countRows(db, 'user_session')).toBe(sessions);
      // Both are audited with the throttle they count against: the wrong password against the account, the
      // unknown login (nobody's) as an anonymous attempt on that login.
      const entryOf = (response: LightMyRequestResponse) =>
        db
          .selectFrom('audit_entry')
          .selectAll()
          .where('request_id', '=', String(response.headers['x-request-id']))
          .executeTakeFirstOrThrow();
      expect(await entryOf(wrong)).toMatchObject({
        action: 'auth.login_failed',
        object_type: 'user',
        object_id: users.mnr,
        actor_login: 'mnr',
      });
      expect(await entryOf(unknown)).toMatchObject({
        action: 'auth.login_failed',
        object_type: 'login',
        object_id: 'nobody.here',
        actor_login: 'anonymous',
      });
      // Reset the counter for later tests.
      expect((await login(context, 'mnr', DEMO_PASSWORD)).statusCode).toBe(200);
    });

    it('after LOGIN_THROTTLE_FREE_ATTEMPTS (3) failures that address waits, right password or not; others do not', async () => {
      const db = context.database.db;
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        expectProblem(await login(context, 'ndrc', `wrong-password-${attempt}`), 401, 'bad_credentials');
      }
      const row = await db
        .selectFrom('login_throttle')
        .select(['failures', 'blocked_until'])
        .where('login', '=', 'ndrc')
        .where('ip', '=', '127.0.0.1')
        .executeTakeFirstOrThrow();
      expect(row.failures).toBe(3);
      expect(row.blocked_until).not.toBeNull();
      const sessions = await countRows(db, 'user_session');
      const waiting = await login(context, 'ndrc', DEMO_PASSWORD);
      const problem = expectProblem(waiting, 401, 'bad_credentials');
      // Nothing tells a throttled attempt from a wrong password: no unlock time, no other code.
      expect(problem.detail).toBe('The login or the password is wrong.');
      expect(waiting.headers['retry-after']).toBeUndefined();
      expect(waiting.cookies).toHaveLength(0);
      expectProblem(await login(context, 'ndrc', 'wrong-again-4'), 401, 'bad_credentials');
      expect(await countRows(db, 'user_session')).toBe(sessions);
      // The account is not locked: from another address the right password signs in.
      const elsewhere = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'ndrc', password: DEMO_PASSWORD },
        remoteAddress: '192.0.2.200',
      });
      expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    });

    it('the operator clears the waits with PATCH /users/:id {unlock: true}, and the right password works again', async () => {
      const db = context.database.db;
      expectProblem(await login(context, 'ndrc', DEMO_PASSWORD), 401, 'bad_credentials');
      // Nobody but the operator may unlock.
      const miit = await context.as('miit');
      expectProblem(await miit.patch(`/api/v1/users/${users.ndrc}`, { unlock: true }), 403, 'forbidden');
      const response = await operator.patch(`/api/v1/users/${users.ndrc}`, { unlock: true });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ locked_until: string | null }>().locked_until).toBeNull();
      const entry = await lastAudit(db);
      expect(entry).toMatchObject({ action: 'user.update', object_id: users.ndrc, actor_login: 'operator' });
      expect(await db.selectFrom('login_throttle').select('ip').where('login', '=', 'ndrc').execute()).toEqual([]);
      expect((await login(context, 'ndrc', DEMO_PASSWORD)).statusCode).toBe(200);
    });

    it('a successful sign-in resets the failure count', async () => {
      for (const attempt of [1, 2])
        expectProblem(await login(context, 'nmg.iit', `wrong-${attempt}-password`), 401, 'bad_credentials');
      expect((await login(context, 'nmg.iit', DEMO_PASSWORD)).statusCode).toBe(200);
      for (const attempt of [3, 4])
        expectProblem(await login(context, 'nmg.iit', `wrong-${attempt}-password`), 401, 'bad_credentials');
      expect((await login(context, 'nmg.iit', DEMO_PASSWORD)).statusCode).toBe(200);
    });
  });

  describe('sessions end', () => {
    it('logout ends the session and clears the cookie', async () => {
      const db = context.database.db;
      const session = await rawSession(context, 'ganzhou.nr');
      const out = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      });
      expect(out.statusCode).toBe(204);
      const cleared = out.cookies.find((item) => item.name === 'monazite_session');
      expect(cleared?.value ?? '').toBe('');
      expect((cleared?.expires?.getTime() ?? 0) <= Date.now()).toBe(true);
      expectProblem(
        await context.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session.cookie } }),
        401,
        'unauthenticated',
      );
      expectProblem(
        await context.app.inject({ method: 'GET', url: '/api/v1/enterprises', headers: { cookie: session.cookie } }),
        401,
        'unauthenticated',
      );
      const revoked = await db
        .selectFrom('user_session')
        .select('revoked_at')
        .where('user_id', '=', users['ganzhou.nr']!)
        .where('revoked_at', 'is not', null)
        .execute();
      expect(revoked.length).toBeGreaterThan(0);
    });

    it('signing in, a failed sign-in and signing out are audited with the client address and user agent', async () => {
      const db = context.database.db;
      const from = (ip: string, agent: string) => ({ remoteAddress: ip, headers: { 'user-agent': agent } });
      const entries = async (since: number) =>
        db
          .selectFrom('audit_entry')
          .select(['seq', 'action', 'actor_login', 'object_id', 'ip', 'user_agent', 'request_id'])
          .where('seq', '>', String(since))
          .orderBy('seq')
          .execute();
      const before = Number((await lastAudit(db)).seq);
      const failed = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'longnan.iit', password: 'not-the-password-1' },
        ...from('198.51.100.23', 'Mozilla/5.0 (failed sign-in)'),
      });
      expectProblem(failed, 401, 'bad_credentials');
      const signedIn = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'longnan.iit', password: DEMO_PASSWORD },
        ...from('198.51.100.24', 'Mozilla/5.0 (sign-in)'),
      });
      expect(signedIn.statusCode, signedIn.body).toBe(200);
      const cookie = signedIn.cookies.find((item) => item.name === 'monazite_session')!;
      // X-Forwarded-For counts only from a proxy named in TRUST_PROXY (none here): the socket's address is kept.
      const out = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        remoteAddress: '127.0.0.1',
        headers: {
          cookie: `monazite_session=${cookie.value}`,
          'x-csrf-token': signedIn.json<{ csrf_token: string }>().csrf_token,
          'x-forwarded-for': '203.0.113.77',
          'user-agent': 'x'.repeat(400),
        },
      });
      expect(out.statusCode).toBe(204);
      const written = await entries(before);
      expect(written.map((entry) => entry.action)).toEqual(['auth.login_failed', 'auth.login', 'auth.logout']);
      for (const entry of written)
        expect(entry).toMatchObject({ actor_login: 'longnan.iit', object_id: users['longnan.iit'] });
      expect(written[0]).toMatchObject({ ip: '198.51.100.23', user_agent: 'Mozilla/5.0 (failed sign-in)' });
      expect(written[0]!.request_id).toBe(failed.headers['x-request-id']);
      expect(written[1]).toMatchObject({ ip: '198.51.100.24', user_agent: 'Mozilla/5.0 (sign-in)' });
      expect(written[1]!.request_id).toBe(signedIn.headers['x-request-id']);
      // User agents are kept to 300 characters, like every audited request's.
      expect(written[2]).toMatchObject({ ip: '127.0.0.1', user_agent: 'x'.repeat(300) });
      // The chain still verifies with the new entries.
      expect((await (await context.as('oversight')).get('/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
    });

    it('a sign-in refused for an unknown login or a wrong password is in the security event log, with its origin', async () => {
      const from = (ip: string, agent: string) => ({ remoteAddress: ip, headers: { 'user-agent': agent } });
      const unknown = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'no.such.user', password: 'guessing-1234' },
        ...from('198.51.100.31', 'spray/1.0'),
      });
      expectProblem(unknown, 401, 'bad_credentials');
      const wrong = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'ganzhou.nr', password: 'guessing-1234' },
        ...from('198.51.100.31', 'spray/1.0'),
      });
      expectProblem(wrong, 401, 'bad_credentials');
      const events = await context.database.db
        .selectFrom('security_event')
        .select(['kind', 'actor_id', 'actor_login', 'route', 'status', 'code', 'ip', 'user_agent'])
        .where('route', '=', '/api/v1/auth/login')
        .where('ip', '=', '198.51.100.31')
        .orderBy('id')
        .execute();
      expect(events).toEqual(
        ['no.such.user', 'ganzhou.nr'].map((login) => ({
          kind: 'denied',
          actor_id: null,
          actor_login: login,
          route: '/api/v1/auth/login',
          status: 401,
          code: 'bad_credentials',
          ip: '198.51.100.31',
          user_agent: 'spray/1.0',
        })),
      );
      // A successful sign-in is an authentication event (kind auth), not a refusal.
      const ok = await context.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'ganzhou.nr', password: DEMO_PASSWORD },
        ...from('198.51.100.31', 'spray/1.0'),
      });
      expect(ok.statusCode, ok.body).toBe(200);
      const after = await context.database.db
        .selectFrom('security_event')
        .select(['kind', 'status', 'code', 'actor_login'])
        .where('route', '=', '/api/v1/auth/login')
        .where('ip', '=', '198.51.100.31')
        .orderBy('id')
        .execute();
      expect(after.map((row) => [row.kind, row.status, row.code])).toEqual([
        ['denied', 401, 'bad_credentials'],
        ['denied', 401, 'bad_credentials'],
        ['auth', 200, 'login'],
      ]);
      expect(after[2]?.actor_login).toBe('ganzhou.nr');
    });

    it('a deactivated user cannot sign in, and their sessions and tokens stop working', async () => {
      const db = context.database.db;
      const dingnan = await context.as('ent.dingnan');
      const token = (await dingnan.post('/api/v1/auth/tokens', { name: 'before deactivation' })).json<{
        token: string;
      }>().token;
      expect((await dingnan.get('/api/v1/auth/me')).statusCode).toBe(200);

      const response = await operator.patch(`/api/v1/users/${users['ent.dingnan']}`, { active: false });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ active: boolean }>().active).toBe(false);

      expectProblem(await dingnan.get('/api/v1/auth/me'), 401, 'unauthenticated');
      expectProblem(await dingnan.get('/api/v1/enterprises'), 401, 'unauthenticated');
      expectProblem(
        await context.anonymous.request('GET', '/api/v1/auth/me', undefined, { authorization: `Bearer ${token}` }),
        401,
        'unauthenticated',
      );
      const sessions = await countRows(db, 'user_session');
      const attempt = await login(context, 'ent.dingnan', DEMO_PASSWORD);
      expectProblem(attempt, 401, 'bad_credentials');
      expect(attempt.cookies).toHaveLength(0);
      expect(await countRows(db, 'user_session')).toBe(sessions);
      const live = await db
        .selectFrom('user_session')
        .select('id_hash')
        .where('user_id', '=', users['ent.dingnan']!)
        .where('revoked_at', 'is', null)
        .execute();
      expect(live).toHaveLength(0);

      // Reactivated, the user signs in again; the old session stays ended.
      expect(
        (await operator.patch(`/api/v1/users/${users['ent.dingnan']}`, { active: true, unlock: true })).statusCode,
      ).toBe(200);
      expect((await login(context, 'ent.dingnan', DEMO_PASSWORD)).statusCode).toBe(200);
      expectProblem(await dingnan.get('/api/v1/auth/me'), 401, 'unauthenticated');
    });

    it('a password reset by the operator ends the sessions and only the new password works', async () => {
      const longnan = await context.as('longnan.iit');
      const newPassword = 'Fresh-password-2027';
      expect(
        (await operator.patch(`/api/v1/users/${users['longnan.iit']}`, { password: newPassword })).statusCode,
      ).toBe(200);
      expectProblem(await longnan.get('/api/v1/auth/me'), 401, 'unauthenticated');
      expectProblem(await login(context, 'longnan.iit', DEMO_PASSWORD), 401, 'bad_credentials');
      expect((await login(context, 'longnan.iit', newPassword)).statusCode).toBe(200);
      const entry = await context.database.db
        .selectFrom('audit_entry')
        .selectAll()
        .where('action', '=', 'user.update')
        .where('object_id', '=', users['longnan.iit']!)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect((entry.after as { password_changed: boolean }).password_changed).toBe(true);
      expect(JSON.stringify(entry)).not.toContain(newPassword);
    });
  });

  describe('security headers', () => {
    it.each([
      ['a JSON answer', 'GET', '/api/v1/auth/me', true],
      ['a problem answer', 'GET', '/api/v1/enterprises', false],
      ['an unknown API route', 'GET', '/api/v1/no-such-thing', true],
      ['the login', 'POST', '/api/v1/auth/login', false],
      ['health', 'GET', '/healthz', false],
    ] as const)('are on %s', async (_name, method, url, signed) => {
      const session = signed ? await rawSession(context, 'oversight') : null;
      const response = await context.app.inject({
        method,
        url,
        headers: session ? { cookie: session.cookie } : {},
        ...(method === 'POST' ? { payload: { login: 'oversight', password: DEMO_PASSWORD } } : {}),
      });
      const headers = response.headers;
      expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
      expect(headers['content-security-policy']).toMatch(/object-src 'none'/);
      expect(headers['content-security-policy']).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('the audit log', () => {
    it('every state change writes an entry with actor, action, object and before/after, and the chain verifies', async () => {
      const db = context.database.db;
      const enterprises = await demoEnterpriseIds(db);
      const miit = await context.as('miit');
      const baotou = await context.as('baotou.iit');
      const bayanUser = await context.as('ent.bayan');

      /** Runs one change and returns the one audit entry it wrote, checked against the request. */
      async function change(
        run: () => Promise<LightMyRequestResponse>,
        expected: { status: number; action: string; object_type: string; actor: string; object_id?: string },
      ) {
        const before = await countRows(db, 'audit_entry');
        const response = await run();
        expect(response.statusCode, response.body).toBe(expected.status);
        expect(await countRows(db, 'audit_entry'), `${expected.action} writes exactly one entry`).toBe(before + 1);
        const entry = await lastAudit(db);
        expect(entry).toMatchObject({
          action: expected.action,
          object_type: expected.object_type,
          actor_login: expected.actor,
          actor_id: users[expected.actor],
        });
        if (expected.object_id) expect(entry.object_id).toBe(expected.object_id);
        expect(entry.request_id).toBe(response.headers['x-request-id']);
        expect(entry.at.getTime()).toBeGreaterThan(Date.now() - 60_000);
        return { response, entry };
      }

      const signIn = await change(() => login(context, 'oversight', DEMO_PASSWORD), {
        status: 200,
        action: 'auth.login',
        object_type: 'user',
        actor: 'oversight',
        object_id: users.oversight ?? '',
      });
      expect(signIn.entry.object_id).toBe(users.oversight);

      const created = await change(() => baotou.post('/api/v1/enterprises', newEnterpriseBody('150206')), {
        status: 201,
        action: 'enterprise.create',
        object_type: 'enterprise',
        actor: 'baotou.iit',
      });
      const enterpriseId = created.response.json<{ id: string }>().id;
      expect(created.entry.object_id).toBe(enterpriseId);
      expect(created.entry.before).toBeNull();
      expect(created.entry.after).toMatchObject({ id: enterpriseId, version: 1, domicile_code: '150206' });

      const updated = await change(
        () => baotou.patch(`/api/v1/enterprises/${enterpriseId}`, { expected_version: 1, safety_score: 99 }),
        {
          status: 200,
          action: 'enterprise.update',
          object_type: 'enterprise',
          actor: 'baotou.iit',
          object_id: enterpriseId,
        },
      );
      expect(updated.entry.before).toMatchObject({ version: 1, safety_score: 72 });
      expect(updated.entry.after).toMatchObject({ version: 2, safety_score: 99 });

      const bayanId = enterprises.bayan!.id;
      const security = await change(
        async () =>
          bayanUser.put(`/api/v1/enterprises/${bayanId}/security-profile`, {
            expected_version: await enterpriseVersion(db, bayanId),
            security_profile: { responsible_person: '新负责人', protection_level: 4, last_assessment_on: '2026-10-01' },
          }),
        {
          status: 200,
          action: 'enterprise.security_profile',
          object_type: 'enterprise',
          actor: 'ent.bayan',
          object_id: bayanId,
        },
      );
      expect(
        (security.entry.before as { security_profile: { protection_level: number } }).security_profile.protection_level,
      ).toBe(3);
      expect(
        (security.entry.after as { security_profile: { protection_level: number } }).security_profile.protection_level,
      ).toBe(4);

      const designated = await change(
        () =>
          miit.post('/api/v1/designations', {
            enterprise_id: enterprises.lincang!.id,
            scope: 'mining',
            document_no: '工信部原函〔2026〕301号',
            effective_on: '2026-01-01',
          }),
        { status: 201, action: 'designation.create', object_type: 'designation', actor: 'miit' },
      );
      const designationId = designated.response.json<{ id: string }>().id;
      expect(designated.entry.object_id).toBe(designationId);
      expect(designated.entry.after).toMatchObject({
        id: designationId,
        enterprise_id: enterprises.lincang!.id,
        revoked_on: null,
      });

      const revoked = await change(
        () =>
          miit.post(`/api/v1/designations/${designationId}/revoke`, {
            revoked_on: '2026-11-01',
            revocation_document_no: '工信部原函〔2026〕302号',
            reason: '测试撤销',
          }),
        {
          status: 200,
          action: 'designation.revoke',
          object_type: 'designation',
          actor: 'miit',
          object_id: designationId,
        },
      );
      expect(revoked.entry.before).toMatchObject({ revoked_on: null });
      expect(revoked.entry.after).toMatchObject({
        revoked_on: '2026-11-01',
        revocation_document_no: '工信部原函〔2026〕302号',
      });

      const productBody = newProductBody();
      const productCreated = await change(() => operator.post('/api/v1/products', productBody), {
        status: 201,
        action: 'product.create',
        object_type: 'product',
        actor: 'operator',
        object_id: productBody.code,
      });
      expect(productCreated.entry.after).toMatchObject({ code: productBody.code, version: 1 });
      const productUpdated = await change(
        async () =>
          miit.patch(`/api/v1/products/${productBody.code}`, {
            expected_version: await productVersion(db, productBody.code),
            active: false,
          }),
        { status: 200, action: 'product.update', object_type: 'product', actor: 'miit', object_id: productBody.code },
      );
      expect(productUpdated.entry.before).toMatchObject({ active: true, version: 1 });
      expect(productUpdated.entry.after).toMatchObject({ active: false, version: 2 });

      await change(() => miit.post('/api/v1/groups', { id: 'test-audit-group', name: '审计测试集团' }), {
        status: 201,
        action: 'group.create',
        object_type: 'enterprise_group',
        actor: 'miit',
        object_id: 'test-audit-group',
      });

      const userCreated = await change(
        () =>
          operator.post('/api/v1/users', {
            login: 'audit.user',
            display_name: '审计测试',
            password: 'Audit-password-2026',
            role: 'enterprise_user',
            enterprise_id: bayanId,
          }),
        { status: 201, action: 'user.create', object_type: 'user', actor: 'operator' },
      );
      const newUserId = userCreated.response.json<{ id: string }>().id;
      expect(userCreated.entry.object_id).toBe(newUserId);
      expect(userCreated.entry.after).toMatchObject({
        login: 'audit.user',
        role: 'enterprise_user',
        enterprise_id: bayanId,
      });
      const userUpdated = await change(
        () => operator.patch(`/api/v1/users/${newUserId}`, { display_name: '审计测试（改）' }),
        { status: 200, action: 'user.update', object_type: 'user', actor: 'operator', object_id: newUserId },
      );
      expect(userUpdated.entry.before).toMatchObject({ display_name: '审计测试' });
      expect(userUpdated.entry.after).toMatchObject({ display_name: '审计测试（改）' });

      const tokenCreated = await change(() => baotou.post('/api/v1/auth/tokens', { name: 'audit' }), {
        status: 201,
        action: 'token.create',
        object_type: 'api_token',
        actor: 'baotou.iit',
      });
      const token = tokenCreated.response.json<{ id: string; token: string; prefix: string }>();
      expect(tokenCreated.entry.object_id).toBe(token.id);
      expect(tokenCreated.entry.after).toMatchObject({
        user_id: users['baotou.iit'],
        name: 'audit',
        prefix: token.prefix,
      });
      const tokenRevoked = await change(() => baotou.delete(`/api/v1/auth/tokens/${token.id}`), {
        status: 200,
        action: 'token.revoke',
        object_type: 'api_token',
        actor: 'baotou.iit',
        object_id: token.id,
      });
      // A revocation should say what changed, like every other state change (soft: the checks below still run).
      expect
        .soft(tokenRevoked.entry.after, 'token.revoke records the revocation in `after`')
        .toMatchObject({ revoked_at: expect.any(String) as unknown });

      // A write made with an API token is attributed to the token's user.
      const viaToken = (await baotou.post('/api/v1/auth/tokens', { name: 'acting' })).json<{ token: string }>().token;
      await change(
        async () =>
          context.anonymous.request(
            'PATCH',
            `/api/v1/enterprises/${enterpriseId}`,
            { expected_version: await enterpriseVersion(db, enterpriseId), name: '经令牌修改的企业' },
            { authorization: `Bearer ${viaToken}` },
          ),
        {
          status: 200,
          action: 'enterprise.update',
          object_type: 'enterprise',
          actor: 'baotou.iit',
          object_id: enterpriseId,
        },
      );

      // No secret ever reaches the log: no password hash, no password, no token.
      const everything = JSON.stringify(await db.selectFrom('audit_entry').select(['before', 'after']).execute());
      expect(everything).not.toMatch(/\$argon2/);
      expect(everything).not.toContain('password_hash');
      expect(everything).not.toContain('Audit-password-2026');
      expect(everything).not.toContain(token.token);
      expect(everything).not.toContain(viaToken);

      // Oversight reads it and the chain verifies from the first entry to the last.
      const oversight = await context.as('oversight');
      const verify = await oversight.get('/api/v1/audit/verify');
      expect(verify.statusCode).toBe(200);
      const seq = await db
        .selectFrom('audit_entry')
        .select((eb) => eb.fn.max('seq').as('max'))
        .executeTakeFirstOrThrow();
      expect(verify.json()).toMatchObject({
        ok: true,
        entries: await countRows(db, 'audit_entry'),
        last_seq: Number(seq.max),
        first_break: null,
      });
      const byObject = (await oversight.get(`/api/v1/audit?object_type=enterprise&object_id=${enterpriseId}`)).json<{
        items: { action: string }[];
      }>();
      expect(byObject.items.map((item) => item.action)).toEqual([
        'enterprise.update',
        'enterprise.update',
        'enterprise.create',
      ]);
    });

    it('refused and invalid requests write no audit entry', async () => {
      const db = context.database.db;
      const before = await countRows(db, 'audit_entry');
      const mnr = await context.as('mnr');
      const baotou = await context.as('baotou.iit');
      const afterSignIn = await countRows(db, 'audit_entry');
      // Each sign-in: the password (auth.login), then the one-time code (auth.second_factor).
      expect(afterSignIn).toBe(before + 4);
      expect((await mnr.post('/api/v1/enterprises', newEnterpriseBody('150206'))).statusCode).toBe(403);
      expect((await baotou.post('/api/v1/enterprises', newEnterpriseBody('360728'))).statusCode).toBe(403);
      expect(
        (await baotou.post('/api/v1/enterprises', { ...newEnterpriseBody('150206'), technical_score: 1.5 })).statusCode,
      ).toBe(400);
      expect((await context.anonymous.post('/api/v1/products', newProductBody())).statusCode).toBe(401);
      expect(await countRows(db, 'audit_entry')).toBe(afterSignIn);
    });

    it('the log is append-only, and an edited entry breaks the chain where it was edited', async () => {
      const db = context.database.db;
      const target = await db
        .selectFrom('audit_entry')
        .select(['seq'])
        .where('action', '=', 'enterprise.update')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      await expect(
        db.updateTable('audit_entry').set({ actor_login: 'someone.else' }).where('seq', '=', target.seq).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_entry').where('seq', '=', target.seq).execute()).rejects.toThrow(/append-only/);
      const oversight = await context.as('oversight');
      expect((await oversight.get('/api/v1/audit/verify')).json<{ ok: boolean }>().ok).toBe(true);

      // Someone with the database's owner rights goes around the trigger: verification finds the edit.
      await db.transaction().execute(async (tx) => {
        await sql`ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only`.execute(tx);
        await tx
          .updateTable('audit_entry')
          .set({ actor_login: 'someone.else' })
          .where('seq', '=', target.seq)
          .execute();
        await sql`ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only`.execute(tx);
      });
      const verify = (await oversight.get('/api/v1/audit/verify')).json<{
        ok: boolean;
        first_break: { seq: number; reason: string } | null;
        last_seq: number;
      }>();
      expect(verify.ok).toBe(false);
      expect(verify.first_break?.seq).toBe(Number(target.seq));
      expect(verify.first_break?.reason.length).toBeGreaterThan(0);
      expect(verify.last_seq).toBe(Number(target.seq) - 1);
    });
  });
});

describe('the login rate limit', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => context.close());

  it('the 4th sign-in attempt within a minute gets 429 problem+json, right password or not, and other routes are unaffected', async () => {
    const db = context.database.db;
    const first = await login(context, 'miit', DEMO_PASSWORD);
    expect(first.statusCode).toBe(200);
    const cookie = first.cookies.find((item) => item.name === 'monazite_session')?.value ?? '';
    expectProblem(await login(context, 'miit', 'wrong-password-1'), 401, 'bad_credentials');
    expectProblem(await login(context, 'mnr', 'wrong-password-2'), 401, 'bad_credentials');
    const audit = await countRows(db, 'audit_entry');
    const sessions = await countRows(db, 'user_session');
    for (const password of [DEMO_PASSWORD, 'wrong-password-3']) {
      const limited = await login(context, 'miit', password);
      const problem = expectProblem(limited, 429, 'rate_limited');
      expect(problem.title).toBe('Too many requests');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.cookies).toHaveLength(0);
    }
    // A limited attempt is not even counted as a failed login, and opens no session.
    expect(await countRows(db, 'audit_entry')).toBe(audit);
    expect(await countRows(db, 'user_session')).toBe(sessions);
    const failed = await db
      .selectFrom('login_throttle')
      .select('failures')
      .where('login', '=', 'miit')
      .executeTakeFirstOrThrow();
    expect(failed.failures).toBe(1);
    // The session from the first attempt still works, and reads are not limited by the login limit.
    for (let index = 0; index < 5; index += 1) {
      const me = await context.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: `monazite_session=${cookie}` },
      });
      expect(me.statusCode).toBe(200);
    }
  });
});
