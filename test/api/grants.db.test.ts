import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { recordAudit, SYSTEM_ACTOR } from '../../src/server/modules/audit/index.ts';
import { createToken } from '../../src/server/modules/auth/auth.service.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  demoEnterpriseIds,
  expectFieldError,
  expectProblem,
  nextSerial,
  userIds,
  worldDigest,
  type Db,
} from './api-helpers.ts';
import { grantCallers, grantsMatrix, type GrantCaller, type GrantFixtures } from './grants-matrix.ts';
import { runMatrixCase } from './route-matrix.ts';

/**
 * Two people for privileged accounts (issue 12, item 5): the operator proposes a ministry, department or
 * oversight account, an official of the approving authority approves or refuses it, and until then it cannot
 * sign in or act. Enterprise users and operator accounts are the operator's alone.
 */

const PASSWORD = 'Granted-password-2026';

interface Grant {
  id: string;
  status: string;
  approver_role: string;
  approver_authority_id: string | null;
  reason: string | null;
}
interface UserBody {
  id: string;
  login: string;
  role: string;
  authority_id: string | null;
  grant_status: string;
  grant: Grant | null;
}

const signIn = (context: TestContext, login: string, password: string) =>
  context.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login, password } });

async function auditOf(db: Db, objectId: string) {
  return db
    .selectFrom('audit_entry')
    .select(['action', 'actor_login', 'object_type', 'object_id', 'before', 'after'])
    .where('object_id', '=', objectId)
    .orderBy('seq')
    .execute();
}

describe('two people for privileged accounts', () => {
  let context: TestContext;
  let operator: Client;
  const clients = {} as Record<GrantCaller, Client>;

  beforeAll(async () => {
    context = await startTestApp();
    operator = await context.as('operator');
    clients.anonymous = context.anonymous;
    for (const login of grantCallers) if (login !== 'anonymous') clients[login] = await context.as(login);
  });
  afterAll(async () => context.close());

  async function propose(role: string, authorityId: string | null, login = `grant.user${nextSerial()}`) {
    const response = await operator.post('/api/v1/users', {
      login,
      display_name: '新任官员',
      password: PASSWORD,
      role,
      authority_id: authorityId,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<UserBody>();
  }

  it('a ministry official proposed by the operator alone cannot sign in, and no token of it works, until approved', async () => {
    const db = context.database.db;
    const created = await propose('ministry_official', 'MIIT');
    expect(created).toMatchObject({ role: 'ministry_official', authority_id: 'MIIT', grant_status: 'pending' });
    expect(created.grant).toMatchObject({
      status: 'pending',
      approver_role: 'ministry_official',
      approver_authority_id: 'MIIT',
    });

    // Sign-in: the same answer as a wrong password, nothing more for an anonymous caller.
    const right = await signIn(context, created.login, PASSWORD);
    const wrong = await signIn(context, created.login, 'Wrong-password-2026');
    for (const response of [right, wrong]) {
      expectProblem(response, 401, 'bad_credentials');
      expect(response.cookies).toHaveLength(0);
    }
    const fields = (body: string) => {
      const { type, title, status, detail, code } = JSON.parse(body) as Record<string, unknown>;
      return { type, title, status, detail, code };
    };
    expect(fields(right.body)).toEqual(fields(wrong.body));

    // A token made for it beside the API (as `monazite token create` does) does not act either.
    const { token } = await createToken(db, { actor: SYSTEM_ACTOR, requestId: 'test' }, created.id, 'early', 30);
    const bearer = { authorization: `Bearer ${token}` };
    expectProblem(await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer), 401, 'unauthenticated');
    const before = await worldDigest(db);
    expectProblem(
      await context.anonymous.request(
        'POST',
        '/api/v1/groups',
        { id: `g-${nextSerial()}`, name: '未批准集团' },
        bearer,
      ),
      401,
      'unauthenticated',
    );
    expect(await worldDigest(db)).toBe(before);

    // miit.review approves: now it signs in, and the token works.
    const approved = await clients['miit.review'].post(`/api/v1/users/${created.id}/grant/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decided_by_login: 'miit.review' });
    const after = await signIn(context, created.login, PASSWORD);
    expect(after.statusCode, after.body).toBe(200);
    expect(after.json()).toMatchObject({ login: created.login, role: 'ministry_official', authority_id: 'MIIT' });
    expect((await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer)).statusCode).toBe(200);
    const shown = (await operator.get(`/api/v1/users/${created.id}`)).json<UserBody>();
    expect(shown).toMatchObject({ grant_status: 'approved', grant: { status: 'approved' } });

    // Every step is audited: the account, the proposal by the operator, the approval by miit.review.
    const grantId = created.grant!.id;
    expect((await auditOf(db, created.id)).map((entry) => [entry.action, entry.actor_login])).toEqual(
      expect.arrayContaining([['user.create', 'operator']]),
    );
    expect((await auditOf(db, grantId)).map((entry) => [entry.action, entry.actor_login])).toEqual([
      ['grant.propose', 'operator'],
      ['grant.approve', 'miit.review'],
    ]);
    // Oversight finds them in the audit search.
    const search = (await clients.oversight.get(`/api/v1/audit?object_type=account_grant&object_id=${grantId}`)).json<{
      items: { action: string }[];
    }>();
    expect(search.items.map((item) => item.action)).toEqual(['grant.approve', 'grant.propose']);
  });

  it('the proposer, another ministry, a department, an enterprise user and oversight cannot approve; nothing changes', async () => {
    const db = context.database.db;
    const created = await propose('ministry_official', 'MIIT');
    const url = `/api/v1/users/${created.id}/grant/approve`;
    const before = await worldDigest(db);
    expectProblem(await operator.post(url), 403, 'forbidden');
    for (const login of ['mnr', 'nmg.iit', 'baotou.iit', 'ganzhou.nr', 'oversight'] as const)
      expectProblem(await clients[login].post(url), 404, 'not_found');
    expectProblem(await clients['ent.bayan'].post(url), 403, 'forbidden');
    expectProblem(await context.anonymous.post(url), 401, 'unauthenticated');
    expectProblem(
      await clients.mnr.post(`/api/v1/users/${created.id}/grant/refuse`, { reason: '不是我部的人' }),
      404,
      'not_found',
    );
    expect(await worldDigest(db)).toBe(before);
    expectProblem(await signIn(context, created.login, PASSWORD), 401, 'bad_credentials');
    // Nor do they see it in their list; MIIT does.
    for (const login of ['mnr', 'baotou.iit', 'oversight'] as const) {
      const listed = (await clients[login].get('/api/v1/users/grants')).json<{ items: { user_id: string }[] }>();
      expect(listed.items.map((item) => item.user_id)).not.toContain(created.id);
    }
    const miitList = (await clients.miit.get('/api/v1/users/grants?status=pending')).json<{
      items: { user_id: string }[];
    }>();
    expect(miitList.items.map((item) => item.user_id)).toContain(created.id);
  });

  it('nobody decides their own proposal or a grant to themselves, down to the database', async () => {
    const db = context.database.db;
    const created = await propose('ministry_official', 'NDRC');
    const users = await userIds(db);
    const grantId = created.grant!.id;
    for (const decidedBy of [users.operator!, created.id]) {
      await expect(
        db
          .updateTable('account_grant')
          .set({ status: 'approved', decided_by: decidedBy, decided_at: new Date() })
          .where('id', '=', grantId)
          .execute(),
      ).rejects.toThrow(/check/i);
    }
  });

  it('a local role is decided by the same department of the same division only', async () => {
    const db = context.database.db;
    const created = await propose('department_official', '150200-industry_it');
    expect(created.grant).toMatchObject({
      approver_role: 'department_official',
      approver_authority_id: '150200-industry_it',
    });
    const url = `/api/v1/users/${created.id}/grant/approve`;
    const before = await worldDigest(db);
    // Another division, the province above, a ministry: not theirs.
    for (const login of ['ganzhou.nr', 'nmg.iit', 'miit', 'mnr', 'oversight'] as const)
      expectProblem(await clients[login].post(url), 404, 'not_found');
    expect(await worldDigest(db)).toBe(before);
    const approved = await clients['baotou.iit'].post(url);
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await signIn(context, created.login, PASSWORD)).statusCode).toBe(200);
  });

  it('a department with no official yet gets its first one approved by the same department above', async () => {
    // Bayan Obo mining district (150206) has no accounts: Baotou's industry & IT department decides.
    const created = await propose('department_official', '150206-industry_it');
    expect(created.grant).toMatchObject({ approver_authority_id: '150200-industry_it' });
    const listed = (await clients['baotou.iit'].get('/api/v1/users/grants')).json<{ items: { user_id: string }[] }>();
    expect(listed.items.map((item) => item.user_id)).toContain(created.id);
    expectProblem(await clients['nmg.iit'].post(`/api/v1/users/${created.id}/grant/approve`), 404, 'not_found');
    expect((await clients['baotou.iit'].post(`/api/v1/users/${created.id}/grant/approve`)).statusCode).toBe(200);
    expect((await signIn(context, created.login, PASSWORD)).statusCode).toBe(200);
  });

  it('a refused account never signs in, and a refusal needs a reason', async () => {
    const db = context.database.db;
    const created = await propose('ministry_official', 'MNR');
    const url = `/api/v1/users/${created.id}/grant/refuse`;
    const before = await worldDigest(db);
    expectFieldError(await clients.mnr.post(url, { reason: '   ' }), 400, 'reason');
    expectFieldError(await clients.mnr.post(url, {}), 400, 'reason');
    expect(await worldDigest(db)).toBe(before);
    const refused = await clients.mnr.post(url, { reason: '该同志未在我部任职' });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ status: 'refused', reason: '该同志未在我部任职', decided_by_login: 'mnr' });
    expectProblem(await signIn(context, created.login, PASSWORD), 401, 'bad_credentials');
    // Decided is decided: neither an approval nor a second refusal changes it.
    const decided = await worldDigest(db);
    expectProblem(await clients.mnr.post(`/api/v1/users/${created.id}/grant/approve`), 409, 'grant_decided');
    expectProblem(await clients.mnr.post(url, { reason: '再次拒绝' }), 409, 'grant_decided');
    // Reactivating or resetting the password does not open it either.
    expect(
      (await operator.patch(`/api/v1/users/${created.id}`, { active: true, password: 'Another-password-2027' }))
        .statusCode,
    ).toBe(200);
    expectProblem(await signIn(context, created.login, 'Another-password-2027'), 401, 'bad_credentials');
    expect(
      (await db.selectFrom('app_user').select('grant_status').where('id', '=', created.id).executeTakeFirstOrThrow())
        .grant_status,
    ).toBe('refused');
    expect(decided).not.toBe(await worldDigest(db)); // the password reset is a change of its own
    // Nor does proposing it again for another ministry: a refused account stays refused.
    const unchanged = await worldDigest(db);
    expectProblem(
      await operator.patch(`/api/v1/users/${created.id}`, { role: 'ministry_official', authority_id: 'NDRC' }),
      409,
      'grant_refused',
    );
    expect(await worldDigest(db)).toBe(unchanged);
    const shown = (await operator.get(`/api/v1/users/${created.id}`)).json<UserBody>();
    expect(shown).toMatchObject({
      grant_status: 'refused',
      grant: { status: 'refused', reason: '该同志未在我部任职' },
    });
    const entries = await auditOf(db, created.grant!.id);
    expect(entries.map((entry) => entry.action)).toEqual(['grant.propose', 'grant.refuse']);
    expect(entries[1]!.after).toMatchObject({ status: 'refused', reason: '该同志未在我部任职' });
  });

  it('raising an enterprise user to a department role by PATCH is a proposal; approved, it applies', async () => {
    const db = context.database.db;
    const enterprises = await demoEnterpriseIds(db);
    const login = `grant.staff${nextSerial()}`;
    const staff = await operator.post('/api/v1/users', {
      login,
      display_name: '企业职员',
      password: PASSWORD,
      role: 'enterprise_user',
      enterprise_id: enterprises.kundulun!.id,
    });
    expect(staff.statusCode, staff.body).toBe(201);
    const id = staff.json<UserBody>().id;
    const raised = await operator.patch(`/api/v1/users/${id}`, {
      role: 'department_official',
      authority_id: '150200-industry_it',
    });
    expect(raised.statusCode, raised.body).toBe(200);
    // Still an enterprise user, with a pending proposal.
    expect(raised.json()).toMatchObject({
      role: 'enterprise_user',
      grant_status: 'approved',
      grant: { kind: 'change', status: 'pending', role: 'department_official', authority_id: '150200-industry_it' },
    });
    const signedIn = await signIn(context, login, PASSWORD);
    expect(signedIn.json()).toMatchObject({ role: 'enterprise_user' });
    // A second change while the first waits is refused, and changes nothing.
    const before = await worldDigest(db);
    expectProblem(
      await operator.patch(`/api/v1/users/${id}`, { role: 'department_official', authority_id: '150000-industry_it' }),
      409,
      'grant_pending',
    );
    expectProblem(await clients['nmg.iit'].post(`/api/v1/users/${id}/grant/approve`), 404, 'not_found');
    expect(await worldDigest(db)).toBe(before);
    // Baotou's department approves: the account is now its official, signed in anew.
    expect((await clients['baotou.iit'].post(`/api/v1/users/${id}/grant/approve`)).statusCode).toBe(200);
    const again = await signIn(context, login, PASSWORD);
    expect(again.json()).toMatchObject({ role: 'department_official', division_code: '150200', enterprise_id: null });
    const entries = await auditOf(db, raised.json<UserBody>().grant!.id);
    expect(entries.map((entry) => [entry.action, entry.actor_login])).toEqual([
      ['grant.propose', 'operator'],
      ['grant.approve', 'baotou.iit'],
    ]);
    // Lowering it back to an enterprise user is the operator's alone, at once.
    const lowered = await operator.patch(`/api/v1/users/${id}`, {
      role: 'enterprise_user',
      enterprise_id: enterprises.kundulun!.id,
    });
    expect(lowered.json()).toMatchObject({ role: 'enterprise_user', authority_id: null });
  });

  it('the operator alone creates an enterprise user for a registered enterprise, and an operator account', async () => {
    const db = context.database.db;
    const enterprises = await demoEnterpriseIds(db);
    const login = `grant.ent${nextSerial()}`;
    const created = await operator.post('/api/v1/users', {
      login,
      display_name: '企业填报员',
      password: PASSWORD,
      role: 'enterprise_user',
      enterprise_id: enterprises.bayan!.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ grant_status: 'approved', grant: null });
    expect((await signIn(context, login, PASSWORD)).statusCode).toBe(200);

    const operatorLogin = `grant.op${nextSerial()}`;
    const op = await operator.post('/api/v1/users', {
      login: operatorLogin,
      display_name: '运维',
      password: PASSWORD,
      role: 'operator',
    });
    expect(op.json()).toMatchObject({ grant_status: 'approved', grant: null });
    expect((await signIn(context, operatorLogin, PASSWORD)).statusCode).toBe(200);

    const before = await worldDigest(db);
    expectFieldError(
      await operator.post('/api/v1/users', {
        login: `grant.none${nextSerial()}`,
        display_name: '无此企业',
        password: PASSWORD,
        role: 'enterprise_user',
        enterprise_id: '00000000-0000-4000-8000-000000000000',
      }),
      422,
      'enterprise_id',
      'invalid',
    );
    expect(await worldDigest(db)).toBe(before);
  });

  it('an oversight account is approved by oversight, not by a ministry', async () => {
    const created = await propose('oversight', null);
    expect(created.grant).toMatchObject({ approver_role: 'oversight', approver_authority_id: null });
    expectProblem(await clients.miit.post(`/api/v1/users/${created.id}/grant/approve`), 404, 'not_found');
    expect((await clients.oversight.post(`/api/v1/users/${created.id}/grant/approve`)).statusCode).toBe(200);
    expect((await signIn(context, created.login, PASSWORD)).statusCode).toBe(200);
  });

  it('oversight sees every proposal, approval and refusal in the audit search', async () => {
    const search = (await clients.oversight.get('/api/v1/audit?action_prefix=grant.&limit=200')).json<{
      items: { action: string; actor_role: string }[];
    }>();
    const actions = new Set(search.items.map((item) => item.action));
    expect([...actions].sort()).toEqual(['grant.approve', 'grant.propose', 'grant.refuse']);
    for (const item of search.items.filter((entry) => entry.action === 'grant.propose'))
      expect(item.actor_role).toBe('operator');
  });

  it("oversight's rule (6) flags a grant whose proposer also appears as its approver in the audit trail", async () => {
    const db = context.database.db;
    const users = await userIds(db);
    const honest = await propose('ministry_official', 'MIIT');
    const forged = await propose('ministry_official', 'MIIT');
    for (const created of [honest, forged])
      expect((await clients['miit.review'].post(`/api/v1/users/${created.id}/grant/approve`)).statusCode).toBe(200);
    // Written round the application (which refuses it): the operator recorded as approving its own proposal.
    await db
      .transaction()
      .execute((tx) =>
        recordAudit(
          tx,
          { actor: { id: users.operator!, login: 'operator', role: 'operator' }, requestId: 'forged' },
          { action: 'grant.approve', objectType: 'account_grant', objectId: forged.grant!.id, after: {} },
        ),
      );
    expect((await clients.oversight.post('/api/v1/oversight/runs')).statusCode).toBe(200);
    const alerts = (
      await clients.oversight.get('/api/v1/oversight/alerts?rule=same_person_drafted_and_approved&page_size=200')
    ).json<{ items: { subject_type: string; subject_id: string; actor_id: string }[] }>().items;
    const aboutGrants = alerts.filter((alert) => alert.subject_type === 'account_grant');
    expect(aboutGrants.map((alert) => [alert.subject_id, alert.actor_id])).toEqual([
      [forged.grant!.id, users.operator],
    ]);
    expect(aboutGrants.map((alert) => alert.subject_id)).not.toContain(honest.grant!.id);
  });

  describe('the matrix', () => {
    const fx = {} as GrantFixtures;
    beforeAll(() => {
      fx.context = context;
      fx.clients = clients;
    });
    it.each(grantsMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))('%s', async (_t, item) => {
      expect(await runMatrixCase(fx, item, grantCallers)).toEqual([]);
    });
  });

  it('a demo account signs in as before: the accounts that existed are approved', async () => {
    const rows = await context.database.db.selectFrom('app_user').select(['login', 'grant_status']).execute();
    const demo = rows.filter((row) => !row.login.startsWith('grant.'));
    expect(demo.length).toBeGreaterThan(10);
    for (const row of demo) expect(row.grant_status, row.login).toBe('approved');
    expect((await signIn(context, 'miit', DEMO_PASSWORD)).statusCode).toBe(200);
  });
});
