import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { codeAt } from '../support/second-factor.ts';
import { expectProblem, userIds } from './api-helpers.ts';

const PERIOD_MS = 30_000;
const STRONG = 'Quarry-ledger-7431';

/** A session after the password only: the client and what the sign-in answered. */
async function passwordOnly(context: TestContext, login: string, password = DEMO_PASSWORD) {
  const response = await context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password },
  });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((item) => item.name === 'monazite_session')!.value;
  const body = response.json<{ csrf_token: string; session_stage: string; permissions: string[] }>();
  const headers = { cookie: `monazite_session=${cookie}`, 'x-csrf-token': body.csrf_token };
  const send = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    context.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { body, send, cookie };
}

/** Moves a session's last second factor `minutes` into the past (time passing, without a clock). */
async function ageSecondFactor(context: TestContext, login: string, minutes: number) {
  await sql`update user_session set second_factor_at = second_factor_at - make_interval(mins => ${minutes})
    where user_id = (select id from app_user where login = ${login})`.execute(context.database.db);
}

describe('the second factor at sign-in', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(async () => context.close());

  it('an enrolled official gets no permission and reaches nothing but the sign-in routes until the code is given', async () => {
    const session = await passwordOnly(context, 'miit');
    expect(session.body.session_stage).toBe('second_factor');
    expect(session.body.permissions).toEqual([]);
    const blocked = await session.send('GET', '/api/v1/enterprises');
    expectProblem(blocked, 401, 'second_factor_required');
    expect(blocked.json<{ params: { stage: string } }>().params.stage).toBe('second_factor');
    expectProblem(await session.send('POST', '/api/v1/auth/tokens', { name: 'x' }), 401, 'second_factor_required');
    expect((await session.send('GET', '/api/v1/auth/me')).statusCode).toBe(200);

    const given = await session.send('POST', '/api/v1/auth/second-factor', { code: await context.codes.next('miit') });
    expect(given.statusCode, given.body).toBe(200);
    const me = given.json<{ session_stage: string; permissions: string[]; second_factor: { given_at: string } }>();
    expect(me.session_stage).toBe('full');
    expect(me.permissions).toContain('indicator.approve');
    expect(me.second_factor.given_at).not.toBeNull();
    expect((await session.send('GET', '/api/v1/enterprises')).statusCode).toBe(200);
  });

  it('refuses a wrong, a replayed and an expired code; the fifth wrong code ends the session', async () => {
    const session = await passwordOnly(context, 'mnr');
    const now = Date.now();
    const code = codeAt(DEMO_TOTP_SECRET, now);
    context.codes.used('mnr', now);
    expect((await session.send('POST', '/api/v1/auth/second-factor', { code })).statusCode).toBe(200);
    // The same code again, in another session: replayed.
    const second = await passwordOnly(context, 'mnr');
    const replayed = await second.send('POST', '/api/v1/auth/second-factor', { code });
    expectProblem(replayed, 401, 'second_factor_wrong');
    expect(replayed.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('code');
    // A code of three steps ago: expired.
    const expired = codeAt(DEMO_TOTP_SECRET, now - 3 * PERIOD_MS);
    expectProblem(
      await second.send('POST', '/api/v1/auth/second-factor', { code: expired }),
      401,
      'second_factor_wrong',
    );
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let attempt = 3; attempt <= 5; attempt += 1) {
      const refused = await second.send('POST', '/api/v1/auth/second-factor', { code: wrong });
      expectProblem(refused, 401, 'second_factor_wrong');
      expect(refused.json<{ params: { attempts_left: number } }>().params.attempts_left).toBe(5 - attempt);
    }
    // The session is over: even a right code does not bring it back.
    expectProblem(await second.send('GET', '/api/v1/auth/me'), 401);
    const failures = await context.database.db
      .selectFrom('audit_entry')
      .select('after')
      .where('action', '=', 'auth.second_factor_failed')
      .where('actor_login', '=', 'mnr')
      .execute();
    expect(failures).toHaveLength(5);
    expect(failures.at(-1)?.after).toMatchObject({ failures: 5, session_ended: true, account_failures: 5 });

    // Five wrong codes in a row make the account wait, whatever the session: even the right code is refused
    // unchecked in a new session until the wait is over, and counted again.
    const third = await passwordOnly(context, 'mnr');
    const refusedRight = await third.send('POST', '/api/v1/auth/second-factor', {
      code: await context.codes.next('mnr'),
    });
    expectProblem(refusedRight, 401, 'second_factor_wrong');
    const account = await context.database.db
      .selectFrom('app_user')
      .select(['totp_failures', 'totp_blocked_until'])
      .where('login', '=', 'mnr')
      .executeTakeFirstOrThrow();
    expect(account.totp_failures).toBe(6);
    expect(account.totp_blocked_until!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Once the wait is over, a right code signs in and ends the run.
    await context.database.db
      .updateTable('app_user')
      .set({ totp_blocked_until: new Date(Date.now() - 1000) })
      .where('login', '=', 'mnr')
      .execute();
    const fourth = await passwordOnly(context, 'mnr');
    const accepted = await fourth.send('POST', '/api/v1/auth/second-factor', { code: await context.codes.next('mnr') });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const after = await context.database.db
      .selectFrom('app_user')
      .select('totp_failures')
      .where('login', '=', 'mnr')
      .executeTakeFirstOrThrow();
    expect(after.totp_failures).toBe(0);
  });

  it('codes are checked in the body: six digits, or a recovery code', async () => {
    const session = await passwordOnly(context, 'ndrc');
    expectProblem(await session.send('POST', '/api/v1/auth/second-factor', { code: '12345' }), 400);
    expectProblem(await session.send('POST', '/api/v1/auth/second-factor', { code: '1234567' }), 400);
    expectProblem(await session.send('POST', '/api/v1/auth/second-factor', {}), 400);
  });

  it('an official without an authenticator must enrol; recovery codes work once each', async () => {
    const db = context.database.db;
    await db
      .updateTable('app_user')
      .set({ totp_secret_sealed: null, totp_enrolled_at: null })
      .where('login', '=', 'longnan.iit')
      .execute();
    const session = await passwordOnly(context, 'longnan.iit');
    expect(session.body.session_stage).toBe('enrol');
    expectProblem(await session.send('GET', '/api/v1/enterprises'), 401, 'second_factor_required');
    const started = await session.send('POST', '/api/v1/auth/second-factor/enrolment');
    expect(started.statusCode, started.body).toBe(200);
    const { secret, otpauth_uri, qr_svg } = started.json<{ secret: string; otpauth_uri: string; qr_svg: string }>();
    expect(otpauth_uri).toContain(`secret=${secret}`);
    expect(otpauth_uri).toContain('issuer=Monazite');
    expect(qr_svg).toMatch(/^<svg/);
    // The secret is kept sealed, never in clear.
    const stored = await db
      .selectFrom('app_user')
      .select('totp_pending_sealed')
      .where('login', '=', 'longnan.iit')
      .executeTakeFirstOrThrow();
    expect(stored.totp_pending_sealed).not.toContain(secret);
    const wrong = await session.send('POST', '/api/v1/auth/second-factor/enrolment/confirm', {
      code: String((Number(codeAt(secret, Date.now())) + 1) % 1_000_000).padStart(6, '0'),
    });
    expectProblem(wrong, 422, 'second_factor_wrong');
    const confirmed = await session.send('POST', '/api/v1/auth/second-factor/enrolment/confirm', {
      code: await context.codes.next('longnan.iit', secret),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const codes = confirmed.json<{ recovery_codes: string[] }>().recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await session.send('GET', '/api/v1/enterprises')).statusCode).toBe(200);
    const hashes = await db.selectFrom('recovery_code').select('code_hash').execute();
    expect(hashes.some((row) => codes.some((code) => row.code_hash.includes(code.replace('-', ''))))).toBe(false);

    // A lost phone: a recovery code signs in once, typed in lower case with spaces.
    const recovery = codes[3]!;
    const next = await passwordOnly(context, 'longnan.iit');
    expect(next.body.session_stage).toBe('second_factor');
    const typed = ` ${recovery.toLowerCase().replace('-', ' ')} `;
    const used = await next.send('POST', '/api/v1/auth/second-factor', { recovery_code: typed });
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json<{ second_factor: { recovery_codes_left: number } }>().second_factor.recovery_codes_left).toBe(9);
    const again = await passwordOnly(context, 'longnan.iit');
    const refused = await again.send('POST', '/api/v1/auth/second-factor', { recovery_code: recovery });
    expectProblem(refused, 401, 'second_factor_wrong');
    expect(refused.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('recovery_code');
  });

  it('an enterprise below the protection level needs no second factor; at or above it does', async () => {
    const db = context.database.db;
    const low = await startTestApp({ SECOND_FACTOR_ENTERPRISE_LEVEL: '4' });
    try {
      await low.database.db
        .updateTable('app_user')
        .set({ totp_secret_sealed: null, totp_enrolled_at: null })
        .where('login', '=', 'ent.bayan')
        .execute();
      expect((await passwordOnly(low, 'ent.bayan')).body.session_stage).toBe('full');
    } finally {
      await low.close();
    }
    await db
      .updateTable('app_user')
      .set({ totp_secret_sealed: null, totp_enrolled_at: null })
      .where('login', '=', 'ent.bayan')
      .execute();
    expect((await passwordOnly(context, 'ent.bayan')).body.session_stage).toBe('enrol');
  });

  it('the sign-in page gets the demo code in demo mode only', async () => {
    const help = await context.anonymous.get('/api/v1/auth/sign-in-help');
    expect(help.statusCode).toBe(200);
    const body = help.json<{ demo_code: string; demo_secret: string }>();
    expect(body.demo_secret).toBe(DEMO_TOTP_SECRET);
    const now = Date.now();
    expect([codeAt(DEMO_TOTP_SECRET, now), codeAt(DEMO_TOTP_SECRET, now - PERIOD_MS)]).toContain(body.demo_code);
    for (const env of [{ NODE_ENV: 'production' }, { DEMO_DATA: 'false' }]) {
      const other = await startTestApp(env);
      try {
        expect((await other.anonymous.get('/api/v1/auth/sign-in-help')).json()).toEqual({
          demo_code: null,
          demo_secret: null,
        });
      } finally {
        await other.close();
      }
    }
  });
});

/** A user for each permission a step-up route needs. */
const actorFor: Record<string, string> = {
  'indicator.approve': 'miit',
  'indicator.cosign': 'mnr',
  'allocation.write': 'miit',
  'notice.forward': 'nmg.iit',
  'report.review': 'nmg.iit',
  'ledger.write': 'miit',
  'designation.write': 'miit',
  'supervision.write': 'miit',
  'user.manage': 'operator',
  'account.approve': 'miit',
  signed_in: 'miit',
};

describe('step-up for official acts', () => {
  let context: TestContext;
  const clients = new Map<string, Client>();
  beforeAll(async () => {
    context = await startTestApp({ STEP_UP_MINUTES: '5' });
    for (const login of new Set(Object.values(actorFor))) clients.set(login, await context.as(login));
  });
  afterAll(async () => context.close());

  it('every step-up route refuses a session whose second factor is older than STEP_UP_MINUTES, and every token', async () => {
    const routes = context.app.accessTable.filter((route) => route.stepUp);
    expect(routes.length).toBeGreaterThanOrEqual(19);
    expect(routes.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/indicator-batches/:id/approve',
        'POST /api/v1/indicator-batches/:id/cosign',
        'POST /api/v1/allocation-runs/:id/issue',
        'POST /api/v1/compilations/:id/forward',
        'POST /api/v1/supervision/decisions/:id/transitions',
        'POST /api/v1/users/:id/grant/approve',
        'POST /api/v1/users/:id/second-factor/reset',
      ]),
    );
    for (const login of clients.keys()) await ageSecondFactor(context, login, 6);
    const id = '00000000-0000-4000-8000-000000000000';
    for (const route of routes) {
      const login = actorFor[route.access];
      expect(login, `no actor for ${route.access}`).toBeDefined();
      const url = route.url.replace(':id', id).replace(':year', '2026');
      const refused = await clients.get(login!)!.request(route.method as 'POST', url, {});
      expectProblem(refused, 403, 'step_up_required');
      expect(refused.json<{ params: { max_age_minutes: number } }>().params.max_age_minutes).toBe(5);
    }
    // A token of the same official: never, however fresh.
    const miit = clients.get('miit')!;
    await miit.post('/api/v1/auth/second-factor', { code: await context.codes.next('miit') });
    const token = (await miit.post('/api/v1/auth/tokens', { name: 'machine' })).json<{ token: string }>().token;
    const byToken = await context.anonymous.request(
      'POST',
      `/api/v1/indicator-batches/${id}/approve`,
      {},
      {
        authorization: `Bearer ${token}`,
      },
    );
    expectProblem(byToken, 403, 'step_up_session_only');
  });

  it('a fresh code lets the act through, and its audit entry records when the factor was given', async () => {
    const db = context.database.db;
    const operator = clients.get('operator')!;
    await ageSecondFactor(context, 'operator', 6);
    const body = {
      login: 'new.clerk',
      display_name: '新文员',
      password: STRONG,
      role: 'enterprise_user',
      enterprise_id: (
        await db
          .selectFrom('app_user')
          .select('enterprise_id')
          .where('login', '=', 'ent.bayan')
          .executeTakeFirstOrThrow()
      ).enterprise_id,
    };
    expectProblem(await operator.post('/api/v1/users', body), 403, 'step_up_required');
    const given = await operator.post('/api/v1/auth/second-factor', { code: await context.codes.next('operator') });
    expect(given.statusCode, given.body).toBe(200);
    const givenAt = given.json<{ second_factor: { given_at: string } }>().second_factor.given_at;
    const created = await operator.post('/api/v1/users', body);
    expect(created.statusCode, created.body).toBe(201);
    const entry = await context.database.db
      .selectFrom('audit_entry')
      .select(['second_factor_at'])
      .where('action', '=', 'user.create')
      .where('object_id', '=', created.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    expect(entry.second_factor_at).toBe(givenAt);
    // Reads and ordinary writes record none.
    const token = await operator.post('/api/v1/auth/tokens', { name: 'read' });
    const tokenEntry = await context.database.db
      .selectFrom('audit_entry')
      .select('second_factor_at')
      .where('action', '=', 'token.create')
      .where('object_id', '=', token.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    expect(tokenEntry.second_factor_at).toBeNull();
  });
});

describe('sessions and passwords', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(async () => context.close());

  it('lists my sessions, signs out another, then all others; nobody ends a session not theirs', async () => {
    const first = await context.as('ent.kundulun');
    const second = await context.as('ent.kundulun');
    const third = await context.as('ent.kundulun');
    const listed = await first.get('/api/v1/auth/sessions');
    expect(listed.statusCode).toBe(200);
    const sessions = listed.json<{ id: string; current: boolean; stage: string }[]>();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((item) => item.current)).toHaveLength(1);
    const secondId = (await second.get('/api/v1/auth/sessions'))
      .json<{ id: string; current: boolean }[]>()
      .find((item) => item.current)!.id;
    // Another user cannot end it (it does not exist for them).
    const stranger = await context.as('ent.dingnan');
    expectProblem(await stranger.delete(`/api/v1/auth/sessions/${secondId}`), 404);
    expectProblem(await context.anonymous.get('/api/v1/auth/sessions'), 401);
    expect((await first.delete(`/api/v1/auth/sessions/${secondId}`)).statusCode).toBe(204);
    expectProblem(await second.get('/api/v1/auth/me'), 401);
    const others = await first.post('/api/v1/auth/sessions/sign-out-others');
    expect(others.json()).toEqual({ signed_out: 1 });
    expectProblem(await third.get('/api/v1/auth/me'), 401);
    expect((await first.get('/api/v1/auth/me')).statusCode).toBe(200);
    const events = await context.database.db
      .selectFrom('security_event')
      .select('code')
      .where('kind', '=', 'auth')
      .where('actor_login', '=', 'ent.kundulun')
      .execute();
    expect(events.map((row) => row.code)).toEqual(
      expect.arrayContaining(['login', 'second_factor', 'session_revoke', 'sessions_revoke_others']),
    );
  });

  it('a session idle longer than SESSION_IDLE_MINUTES ends', async () => {
    const client = await context.as('ent.longnan');
    await sql`update user_session set last_seen_at = now() - interval '31 minutes'
      where user_id = (select id from app_user where login = 'ent.longnan')`.execute(context.database.db);
    expectProblem(await client.get('/api/v1/auth/me'), 401);
  });

  it('a new password keeps the policy and the history; the change ends my other sessions', async () => {
    const mine = await context.as('ent.bayan');
    const other = await context.as('ent.bayan');
    const change = (current: string, next: string) =>
      mine.post('/api/v1/auth/password', { current_password: current, new_password: next });
    const wrong = await change('not-my-password', STRONG);
    expectProblem(wrong, 422, 'wrong_password');
    expect(wrong.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('current_password');
    const cases: [string, Record<string, unknown>][] = [
      ['Short-1a', { rule: 'length', min: 12 }],
      ['alllowercaseletters', { rule: 'classes', min: 3 }],
      ['Ent.Bayan-2026-long', { rule: 'login' }],
      [DEMO_PASSWORD, { rule: 'history', count: 5 }],
    ];
    for (const [password, params] of cases) {
      const refused = await change(DEMO_PASSWORD, password);
      expectProblem(refused, 422, 'password_policy');
      const problem = refused.json<{ params: Record<string, unknown>; errors: { field: string }[] }>();
      expect(problem.params).toEqual(params);
      expect(problem.errors[0]?.field).toBe('new_password');
    }
    expect((await change(DEMO_PASSWORD, STRONG)).statusCode).toBe(204);
    expectProblem(await other.get('/api/v1/auth/me'), 401);
    expect((await mine.get('/api/v1/auth/me')).statusCode).toBe(200);
    // The old password is history now.
    expectProblem(await change(STRONG, DEMO_PASSWORD), 422, 'password_policy');
    const old = await context.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'ent.bayan', password: DEMO_PASSWORD },
    });
    expectProblem(old, 401, 'bad_credentials');
    expect((await passwordOnly(context, 'ent.bayan', STRONG)).body.session_stage).toBe('second_factor');
  });

  it('a password past PASSWORD_MAX_AGE_DAYS must be changed before anything else', async () => {
    await context.database.db
      .updateTable('app_user')
      .set({ password_changed_at: new Date(Date.now() - 91 * 86_400_000) })
      .where('login', '=', 'ent.dingnan')
      .execute();
    const session = await passwordOnly(context, 'ent.dingnan');
    const given = await session.send('POST', '/api/v1/auth/second-factor', {
      code: await context.codes.next('ent.dingnan'),
    });
    expect(given.json<{ session_stage: string }>().session_stage).toBe('password_change');
    expectProblem(await session.send('GET', '/api/v1/enterprises'), 401, 'second_factor_required');
    const changed = await session.send('POST', '/api/v1/auth/password', {
      current_password: DEMO_PASSWORD,
      new_password: STRONG,
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await session.send('GET', '/api/v1/enterprises')).statusCode).toBe(200);
  });
});

describe('a lost authenticator reset by the operator', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(async () => context.close());

  it("clears an enterprise user's at once; an official's only when a second person approves", async () => {
    const db = context.database.db;
    const operator = await context.as('operator');
    const ids = await userIds(db);
    const clerk = await context.as('ent.longnan');
    const reset = await operator.post(`/api/v1/users/${ids['ent.longnan']}/second-factor/reset`);
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json()).toMatchObject({ applied: true, grant: null });
    expectProblem(await clerk.get('/api/v1/auth/me'), 401);
    expect((await passwordOnly(context, 'ent.longnan')).body.session_stage).toBe('enrol');
    expectProblem(await operator.post(`/api/v1/users/${ids.operator}/second-factor/reset`), 403, 'own_account');

    const official = await context.as('ganzhou.nr');
    const proposed = await operator.post(`/api/v1/users/${ids['ganzhou.nr']}/second-factor/reset`);
    expect(proposed.statusCode, proposed.body).toBe(200);
    const { grant } = proposed.json<{ applied: boolean; grant: { kind: string; approver_authority_id: string } }>();
    expect(grant.kind).toBe('second_factor_reset');
    // Not applied yet: the official still signs in with the authenticator.
    expect((await official.get('/api/v1/auth/me')).statusCode).toBe(200);
    expect((await passwordOnly(context, 'ganzhou.nr')).body.session_stage).toBe('second_factor');
    expectProblem(await operator.post(`/api/v1/users/${ids['ganzhou.nr']}/second-factor/reset`), 409, 'grant_pending');
    // Someone outside the approving authority does not see it.
    const baotou = await context.as('baotou.iit');
    expectProblem(await baotou.post(`/api/v1/users/${ids['ganzhou.nr']}/grant/approve`), 404);
    const approverLogin = await db
      .selectFrom('app_user')
      .select('login')
      .where('authority_id', '=', grant.approver_authority_id)
      .where('role', 'in', ['ministry_official', 'department_official'])
      .where('id', '<>', ids['ganzhou.nr']!)
      .executeTakeFirstOrThrow();
    const approver = await context.as(approverLogin.login);
    const approved = await approver.post(`/api/v1/users/${ids['ganzhou.nr']}/grant/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expectProblem(await official.get('/api/v1/auth/me'), 401);
    expect((await passwordOnly(context, 'ganzhou.nr')).body.session_stage).toBe('enrol');
    const user = await db
      .selectFrom('app_user')
      .select(['totp_secret_sealed', 'role'])
      .where('login', '=', 'ganzhou.nr')
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ totp_secret_sealed: null, role: 'department_official' });
  });

  it('only an operator resets', async () => {
    const ids = await userIds(context.database.db);
    const miit = await context.as('miit');
    expectProblem(await miit.post(`/api/v1/users/${ids['ent.kundulun']}/second-factor/reset`), 403, 'forbidden');
    expectProblem(await context.anonymous.post(`/api/v1/users/${ids['ent.kundulun']}/second-factor/reset`), 401);
  });
});
